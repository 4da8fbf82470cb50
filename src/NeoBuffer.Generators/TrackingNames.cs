namespace NeoBuffer.Generators
{
    /// <summary>Names of the pipeline steps, so that incremental tests can ask what each step did.</summary>
    internal static class TrackingNames
    {
        /// <summary>One model per valid <c>[ChannelMessage]</c> type.</summary>
        public const string Models = nameof(Models);

        /// <summary>One model per valid <c>[ProcessFunction]</c> method.</summary>
        public const string ProcessFunctions = nameof(ProcessFunctions);

        /// <summary>All of them, for the child's dispatch table.</summary>
        public const string ProcessFunctionTable = nameof(ProcessFunctionTable);
    }
}
