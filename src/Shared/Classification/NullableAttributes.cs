namespace System.Diagnostics.CodeAnalysis
{
    // netstandard2.0 lacks the nullable-analysis attribute the shared schema parser is annotated with.
    [AttributeUsage(AttributeTargets.Parameter)]
    internal sealed class NotNullWhenAttribute : Attribute
    {
        public NotNullWhenAttribute(bool returnValue) => ReturnValue = returnValue;

        public bool ReturnValue { get; }
    }
}
