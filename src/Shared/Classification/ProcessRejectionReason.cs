namespace NeoBuffer.Classification
{
    /// <summary>Why a <c>[ProcessFunction]</c> cannot run in a child process. Each has its own diagnostic id.</summary>
    internal enum ProcessRejectionReason
    {
        /// <summary>An instance method: there is no instance in the child.</summary>
        NotStatic,

        /// <summary>A generic method, or one in a generic type.</summary>
        Generic,

        /// <summary>A lambda or a local function: what it captures cannot cross.</summary>
        LambdaOrLocalFunction,

        /// <summary>A <c>ref</c>, <c>out</c> or <c>in</c> parameter, or a <c>params</c> array.</summary>
        ByRefParameter,

        /// <summary>A parameter of a type that cannot cross.</summary>
        ParameterType,

        /// <summary>A return type that cannot cross.</summary>
        ReturnType,

        /// <summary>A containing type that is not partial.</summary>
        ContainingTypeNotPartial,

        /// <summary>A <c>[ChannelMessage]</c> with variable-length fields passed by value (its tail stays behind).</summary>
        MessageByValue,

        /// <summary>A <c>[ChannelMessage]</c> argument the message classifier rejects.</summary>
        InvalidMessage,

        /// <summary>Another function of the same name in the type, or a member with the generated class's name.</summary>
        NameTaken,
    }
}
