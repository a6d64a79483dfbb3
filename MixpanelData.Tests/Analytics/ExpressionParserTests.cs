using MixpanelData.Analytics.Expressions;

namespace MixpanelData.Tests.Analytics;

public sealed class ExpressionParserTests
{
    private static Node Parse(string text) => MixpanelExpression.Parse(text).Root;

    [Test]
    public void Parse_PropertyEqualsString_BuildsComparison()
    {
        var node = Parse("properties[\"$browser\"] == \"Chrome\"");

        Assert.That(node, Is.EqualTo(new BinaryNode(23, BinaryOperator.Equal, new PropertyNode(0, PropertySource.Event, "$browser"), new StringNode(26, "Chrome"))));
    }

    [Test]
    public void Parse_AndBindsTighterThanOr_NotTighterThanAnd()
    {
        var node = (BinaryNode)Parse("not defined(properties[\"a\"]) and properties[\"b\"] > 1 or properties[\"c\"] == 'x'");

        Assert.That(node.Operator, Is.EqualTo(BinaryOperator.Or));
        var and = (BinaryNode)node.Left;
        Assert.That(and.Operator, Is.EqualTo(BinaryOperator.And));
        Assert.That(and.Left, Is.TypeOf<UnaryNode>());
        Assert.That(((UnaryNode)and.Left).Operand, Is.TypeOf<CallNode>().With.Property(nameof(CallNode.Function)).EqualTo(FunctionName.Defined));
        Assert.That(and.Right, Is.TypeOf<BinaryNode>().With.Property(nameof(BinaryNode.Operator)).EqualTo(BinaryOperator.Greater));
    }

    [Test]
    public void Parse_ArithmeticPrecedence_MultiplicationFirst()
    {
        var node = (BinaryNode)Parse("1 + 2 * 3 - -4");

        // ((1 + (2 * 3)) - (-4))
        Assert.That(node.Operator, Is.EqualTo(BinaryOperator.Subtract));
        Assert.That(node.Right, Is.EqualTo(new NumberNode(12, -4)));
        var add = (BinaryNode)node.Left;
        Assert.That(add.Operator, Is.EqualTo(BinaryOperator.Add));
        Assert.That(((BinaryNode)add.Right).Operator, Is.EqualTo(BinaryOperator.Multiply));
    }

    [Test]
    public void Parse_InList_KeepsItems()
    {
        var node = (BinaryNode)Parse("properties[\"account_id\"] in [1, 2, 3,4]");

        Assert.That(node.Operator, Is.EqualTo(BinaryOperator.In));
        Assert.That(((ListNode)node.Right).Items.Cast<NumberNode>().Select(n => n.Value), Is.EqualTo(new[] { 1.0, 2, 3, 4 }));
    }

    [Test]
    public void Parse_UserAndEventSources_AreDistinguished()
    {
        var node = (BinaryNode)Parse("user[\"$email\"] == \"a@b.c\" AND event[\"$time\"] >= datetime(\"2026-01-01T00:00:00\")");

        var left = (BinaryNode)node.Left;
        var right = (BinaryNode)node.Right;
        Assert.That(((PropertyNode)left.Left).Source, Is.EqualTo(PropertySource.User));
        Assert.That(((PropertyNode)right.Left).Source, Is.EqualTo(PropertySource.Meta));
        Assert.That(right.Right, Is.EqualTo(new CallNode(48, FunctionName.Datetime, new StringNode(57, "2026-01-01T00:00:00"))));
    }

    [TestCase("'it\\'s'", "it's")]
    [TestCase("\"tab\\there\"", "tab\there")]
    [TestCase("\"\\u00e9\"", "é")]
    [TestCase("'say \"hi\"'", "say \"hi\"")]
    public void Parse_StringEscapes_AreDecoded(string literal, string expected) =>
        Assert.That(Parse(literal), Is.EqualTo(new StringNode(0, expected)));

    [TestCase("1.5e3", 1500.0)]
    [TestCase(".5", 0.5)]
    [TestCase("-7", -7.0)]
    public void Parse_Numbers_AreRead(string literal, double expected) =>
        Assert.That(((NumberNode)Parse(literal)).Value, Is.EqualTo(expected));

    [TestCase("properties[\"a\"] = 1", 16, "'=='")]
    [TestCase("properties[\"a\"] == ", 19, "ends too early")]
    [TestCase("properties[a] == 1", 11, "quoted property name")]
    [TestCase("(properties[\"a\"] == 1", 21, "')'")]
    [TestCase("browser == \"x\"", 0, "properties[\"browser\"]")]
    [TestCase("properties[\"a\"] == \"unclosed", 19, "not closed")]
    [TestCase("properties[\"a\"] && true", 16, "'and'")]
    [TestCase("properties[\"a\"] == 1 1", 21, "expected an operator")]
    [TestCase("", 0, "empty")]
    [TestCase("   ", 0, "empty")]
    [TestCase("[1, 2", 5, "expected ',' or ']'")]
    [TestCase("properties[\"a\"] # 1", 16, "Unexpected character '#'")]
    public void Parse_BrokenInput_ErrorPointsAtTheProblem(string text, int position, string says)
    {
        var ex = Assert.Throws<ExpressionException>(() => MixpanelExpression.Parse(text));

        Assert.That(ex!.Position, Is.EqualTo(position), ex.Message);
        Assert.That(ex.Message, Does.Contain(says));
        Assert.That(ex.Message, Does.Contain($"position {position + 1}"));
        Assert.That(ex.Code, Is.EqualTo("invalid_expression"));
    }

    [Test]
    public void Parse_DeepNesting_IsRefusedNotAStackOverflow()
    {
        var text = new string('(', 5000) + "1" + new string(')', 5000);

        var ex = Assert.Throws<ExpressionException>(() => MixpanelExpression.Parse(text));

        Assert.That(ex!.Message, Does.Contain("nests deeper than 64"));
    }

    [Test]
    public void Parse_DeepNotChain_IsRefusedNotAStackOverflow()
    {
        var text = string.Concat(Enumerable.Repeat("not ", 10_000)) + "true";

        Assert.Throws<ExpressionException>(() => MixpanelExpression.Parse(text));
    }

    [Test]
    public void Parse_HugeInput_IsRefused()
    {
        var text = "properties[\"a\"] == \"" + new string('x', 30_000) + "\"";

        var ex = Assert.Throws<ExpressionException>(() => MixpanelExpression.Parse(text));

        Assert.That(ex!.Message, Does.Contain("at most 20000"));
    }

    [Test]
    public void TryParse_Invalid_ReturnsFalseWithError()
    {
        var ok = MixpanelExpression.TryParse("properties[", out var expression, out var error);

        Assert.That(ok, Is.False);
        Assert.That(expression, Is.Null);
        Assert.That(error, Is.Not.Null);
    }
}
