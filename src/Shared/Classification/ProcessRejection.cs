namespace NeoBuffer.Classification
{
    /// <summary>One reason a process function cannot run in a child process.</summary>
    /// <param name="Reason">Why.</param>
    /// <param name="ParameterIndex">The offending parameter, <see cref="ReturnIndex"/> for the return type, or <see cref="MethodIndex"/> for the method itself.</param>
    /// <param name="Subject">What to name in the message: the parameter and its type, the return type, or the method.</param>
    /// <param name="Advice">What to use instead.</param>
    internal sealed record ProcessRejection(ProcessRejectionReason Reason, int ParameterIndex, string Subject, string Advice)
    {
        public const int ReturnIndex = -1;
        public const int MethodIndex = -2;
    }
}
