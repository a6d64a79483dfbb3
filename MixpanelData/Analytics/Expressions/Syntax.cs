namespace MixpanelData.Analytics.Expressions;

/// <summary>Where a property reference reads from.</summary>
internal enum PropertySource
{
    /// <summary><c>properties["x"]</c>: the event's properties (or a profile's, in an engage filter).</summary>
    Event,

    /// <summary><c>user["x"]</c>: the profile properties of the event's user.</summary>
    User,

    /// <summary><c>event["x"]</c>: the event itself (<c>$time</c>, name, distinct id).</summary>
    Meta,
}

internal enum BinaryOperator
{
    Add, Subtract, Multiply, Divide, Modulo,
    Equal, NotEqual, Greater, GreaterOrEqual, Less, LessOrEqual,
    In, And, Or,
}

internal enum UnaryOperator
{
    Negate,
    Not,
}

internal enum FunctionName
{
    Defined, Floor, Round, Ceil, Boolean, Number, String, Datetime,
}

/// <summary>A node of a parsed expression; <see cref="Position"/> is the 0-based offset in the source text.</summary>
internal abstract record Node(int Position);

internal sealed record PropertyNode(int Position, PropertySource Source, string Name) : Node(Position);

internal sealed record StringNode(int Position, string Value) : Node(Position);

internal sealed record NumberNode(int Position, double Value) : Node(Position);

internal sealed record BooleanNode(int Position, bool Value) : Node(Position);

internal sealed record NullNode(int Position) : Node(Position);

internal sealed record ListNode(int Position, IReadOnlyList<Node> Items) : Node(Position);

internal sealed record UnaryNode(int Position, UnaryOperator Operator, Node Operand) : Node(Position);

internal sealed record BinaryNode(int Position, BinaryOperator Operator, Node Left, Node Right) : Node(Position);

internal sealed record CallNode(int Position, FunctionName Function, Node Argument) : Node(Position);
