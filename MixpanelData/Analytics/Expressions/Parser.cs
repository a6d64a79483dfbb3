using System.Globalization;
using System.Text;

namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// Parses Mixpanel's segmentation expression grammar into a tree. Precedence, loosest first:
/// <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>* / %</c>, unary <c>-</c>.
/// Keywords are case-insensitive; strings take double or single quotes with backslash escapes.
/// </summary>
internal sealed class Parser
{
    public const int MaxLength = 20_000;
    public const int MaxDepth = 64;

    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _index;
    private int _depth;

    private Parser(string text, List<Token> tokens)
    {
        _text = text;
        _tokens = tokens;
    }

    public static Node Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new ExpressionException($"The expression is {text.Length} characters long; at most {MaxLength} are accepted", text[..80], 0);
        }

        var parser = new Parser(text, Lex(text));
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new ExpressionException("The expression is empty", text, 0);
        }

        var node = parser.ParseOr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Error($"Unexpected {parser.Peek.Describe()}; expected an operator or the end", parser.Peek);
        }

        return node;
    }

    private Token Peek => _tokens[_index];

    private Token Next() => _tokens[_index++];

    private Node ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword(Peek, "or"))
        {
            var op = Next();
            left = new BinaryNode(op.Position, BinaryOperator.Or, left, ParseAnd());
        }

        return left;
    }

    private Node ParseAnd()
    {
        var left = ParseNot();
        while (IsKeyword(Peek, "and"))
        {
            var op = Next();
            left = new BinaryNode(op.Position, BinaryOperator.And, left, ParseNot());
        }

        return left;
    }

    private Node ParseNot()
    {
        if (IsKeyword(Peek, "not"))
        {
            var op = Next();
            return Nested(() => new UnaryNode(op.Position, UnaryOperator.Not, ParseNot()), op);
        }

        return ParseComparison();
    }

    private Node ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Peek;
            BinaryOperator? op = token.Kind == TokenKind.Operator
                ? token.Text switch
                {
                    "==" => BinaryOperator.Equal,
                    "!=" => BinaryOperator.NotEqual,
                    ">" => BinaryOperator.Greater,
                    ">=" => BinaryOperator.GreaterOrEqual,
                    "<" => BinaryOperator.Less,
                    "<=" => BinaryOperator.LessOrEqual,
                    _ => null,
                }
                : IsKeyword(token, "in") ? BinaryOperator.In : null;
            if (op is null)
            {
                return left;
            }

            Next();
            left = new BinaryNode(token.Position, op.Value, left, ParseAdditive());
        }
    }

    private Node ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var op = Next();
            left = new BinaryNode(op.Position, op.Text == "+" ? BinaryOperator.Add : BinaryOperator.Subtract, left, ParseMultiplicative());
        }

        return left;
    }

    private Node ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "%")
        {
            var op = Next();
            var which = op.Text switch { "*" => BinaryOperator.Multiply, "/" => BinaryOperator.Divide, _ => BinaryOperator.Modulo };
            left = new BinaryNode(op.Position, which, left, ParseUnary());
        }

        return left;
    }

    private Node ParseUnary()
    {
        if (Peek.Kind == TokenKind.Operator && Peek.Text == "-")
        {
            var op = Next();
            return Nested(
                () => ParseUnary() switch
                {
                    NumberNode number => new NumberNode(op.Position, -number.Value),
                    var operand => new UnaryNode(op.Position, UnaryOperator.Negate, operand),
                },
                op);
        }

        return ParsePrimary();
    }

    private Node ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.String:
                return new StringNode(token.Position, token.Text);
            case TokenKind.Number:
                return new NumberNode(token.Position, double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TokenKind.Punctuation when token.Text == "(":
                return Nested(() =>
                {
                    var inner = ParseOr();
                    Expect(")", "to close the parenthesis opened", token);
                    return inner;
                }, token);
            case TokenKind.Punctuation when token.Text == "[":
                return Nested(() => ParseList(token), token);
            case TokenKind.Identifier:
                return ParseIdentifier(token);
            case TokenKind.End:
                throw Error("The expression ends too early; a value is missing", token);
            default:
                throw Error($"Unexpected {token.Describe()}; expected a value, a property like properties[\"name\"], or '('", token);
        }
    }

    private Node ParseList(Token open)
    {
        var items = new List<Node>();
        if (Peek.Kind == TokenKind.Punctuation && Peek.Text == "]")
        {
            Next();
            return new ListNode(open.Position, items);
        }

        while (true)
        {
            items.Add(ParseOr());
            var token = Next();
            if (token.Kind == TokenKind.Punctuation && token.Text == "]")
            {
                return new ListNode(open.Position, items);
            }

            if (token.Kind != TokenKind.Punctuation || token.Text != ",")
            {
                throw Error($"Unexpected {token.Describe()} in a list; expected ',' or ']'", token);
            }
        }
    }

    private Node ParseIdentifier(Token token)
    {
        var word = token.Text.ToLowerInvariant();
        switch (word)
        {
            case "properties" or "user" or "event":
                {
                    Expect("[", $"after {token.Text}", token);
                    var name = Next();
                    if (name.Kind != TokenKind.String)
                    {
                        throw Error($"Expected a quoted property name after {token.Text}[, found {name.Describe()}", name);
                    }

                    Expect("]", "to close the property reference", token);
                    var source = word switch { "properties" => PropertySource.Event, "user" => PropertySource.User, _ => PropertySource.Meta };
                    return new PropertyNode(token.Position, source, name.Text);
                }

            case "true":
                return new BooleanNode(token.Position, true);
            case "false":
                return new BooleanNode(token.Position, false);
            case "null":
                return new NullNode(token.Position);
            case "defined" or "floor" or "round" or "ceil" or "boolean" or "number" or "string" or "datetime":
                {
                    var function = word switch
                    {
                        "defined" => FunctionName.Defined,
                        "floor" => FunctionName.Floor,
                        "round" => FunctionName.Round,
                        "ceil" => FunctionName.Ceil,
                        "boolean" => FunctionName.Boolean,
                        "number" => FunctionName.Number,
                        "string" => FunctionName.String,
                        _ => FunctionName.Datetime,
                    };
                    Expect("(", $"after {token.Text}", token);
                    return Nested(() =>
                    {
                        var argument = ParseOr();
                        Expect(")", $"to close {token.Text}(", token);
                        return new CallNode(token.Position, function, argument);
                    }, token);
                }

            default:
                throw Error(
                    $"Unknown word '{token.Text}'; properties are written properties[\"{token.Text}\"], and the functions are defined, floor, round, ceil, boolean, number, string and datetime",
                    token);
        }
    }

    private void Expect(string punctuation, string why, Token opener)
    {
        var token = Next();
        if (token.Kind != TokenKind.Punctuation || token.Text != punctuation)
        {
            throw Error($"Expected '{punctuation}' {why} at position {opener.Position + 1}, found {token.Describe()}", token);
        }
    }

    private Node Nested(Func<Node> parse, Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"The expression nests deeper than {MaxDepth} levels", at);
        }

        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private ExpressionException Error(string problem, Token at) => new(problem, _text, Math.Min(at.Position, _text.Length));

    private static bool IsKeyword(Token token, string keyword) =>
        token.Kind == TokenKind.Identifier && string.Equals(token.Text, keyword, StringComparison.OrdinalIgnoreCase);

    private enum TokenKind { Identifier, String, Number, Operator, Punctuation, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Position)
    {
        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.String => $"the string \"{Text}\"",
            _ => $"'{Text}'",
        };
    }

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '"' or '\'')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(text, ref i), start));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    i++;
                    if (i < text.Length && text[i] is '+' or '-')
                    {
                        i++;
                    }

                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                var number = text[start..i];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || double.IsInfinity(parsed))
                {
                    throw new ExpressionException($"'{number}' is not a number", text, start);
                }

                tokens.Add(new Token(TokenKind.Number, number, start));
            }
            else if (char.IsAsciiLetter(c) || c is '_' or '$')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
            }
            else if (c is '(' or ')' or '[' or ']' or ',')
            {
                tokens.Add(new Token(TokenKind.Punctuation, c.ToString(), start));
                i++;
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "==" or "!=" or ">=" or "<=")
                {
                    tokens.Add(new Token(TokenKind.Operator, two, start));
                    i += 2;
                }
                else if (c is '+' or '-' or '*' or '/' or '%' or '>' or '<')
                {
                    tokens.Add(new Token(TokenKind.Operator, c.ToString(), start));
                    i++;
                }
                else if (c == '=')
                {
                    throw new ExpressionException("A single '=' is not an operator; write '==' to compare", text, start);
                }
                else if (c == '&' || c == '|')
                {
                    throw new ExpressionException($"'{c}' is not an operator; write 'and' / 'or'", text, start);
                }
                else
                {
                    throw new ExpressionException($"Unexpected character '{c}'", text, start);
                }
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private static string ReadString(string text, ref int i)
    {
        var quote = text[i];
        var start = i;
        i++;
        var builder = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (i >= text.Length)
            {
                break;
            }

            var escaped = text[i++];
            switch (escaped)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'u' when i + 4 <= text.Length && int.TryParse(text.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    builder.Append((char)code);
                    i += 4;
                    break;
                default: builder.Append(escaped); break;
            }
        }

        throw new ExpressionException($"The string starting here is not closed; add the closing {quote}", text, start);
    }
}
