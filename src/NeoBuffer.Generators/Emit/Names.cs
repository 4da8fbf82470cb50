using System.Security;
using Microsoft.CodeAnalysis.CSharp;

namespace NeoBuffer.Generators.Emit
{
    /// <summary>Spellings emission repeats: runtime type names, identifiers, literals.</summary>
    internal static class Names
    {
        public const string Runtime = "global::NeoBuffer.";
        public const string Bytes = "global::NeoBuffer.MessageBytes";
        public const string Span = "global::System.Span";
        public const string ReadOnlySpan = "global::System.ReadOnlySpan";

        /// <summary>A field name as a C# identifier: <c>@class</c> for a field declared as <c>@class</c>.</summary>
        public static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        /// <summary>A parameter name derived from a field name: <c>CameraName</c>, <c>Length</c> -> <c>cameraNameLength</c>.</summary>
        public static string Parameter(string fieldName, string suffix) =>
            char.ToLowerInvariant(fieldName[0]) + fieldName.Substring(1) + suffix;

        public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

        public static string Xml(string text) => SecurityElement.Escape(text) ?? "";
    }
}
