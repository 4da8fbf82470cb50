using System.Linq;
using Microsoft.CodeAnalysis;

namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// Where in the user's source a rejection is shown: at the message's own member that brings the fault in (the first
    /// segment of the path), or at the message's name when the type itself is at fault. Never in another assembly.
    /// </summary>
    /// <param name="Location">The identifier of that member, or of the message.</param>
    /// <param name="Member">The member (a field, auto-property or primary-constructor parameter); null for the type.</param>
    internal sealed record RejectionSite(Location Location, ISymbol? Member)
    {
        public static RejectionSite Find(INamedTypeSymbol message, string fieldPath)
        {
            Location typeLocation = message.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
            if (fieldPath.Length == 0)
            {
                return new RejectionSite(typeLocation, null);
            }

            string name = TopLevelName(fieldPath);
            ISymbol? member = message.GetMembers(name).FirstOrDefault(m => m is IFieldSymbol { IsImplicitlyDeclared: false, IsStatic: false })
                ?? message.GetMembers(name).FirstOrDefault(m => m is IPropertySymbol { IsStatic: false })
                ?? message.InstanceConstructors.SelectMany(c => c.Parameters).FirstOrDefault(p => p.Name == name);
            Location? memberLocation = member?.Locations.FirstOrDefault(l => l.IsInSource);
            return memberLocation is null ? new RejectionSite(typeLocation, null) : new RejectionSite(memberLocation, member);
        }

        /// <summary>Whether the path is the member itself (<c>Name</c>), not something inside it (<c>Inner.Name</c>, <c>Items[]</c>).</summary>
        public static bool IsTopLevel(string fieldPath) => fieldPath.Length > 0 && fieldPath.IndexOfAny(PathSeparators) < 0;

        private static readonly char[] PathSeparators = { '.', '[' };

        private static string TopLevelName(string fieldPath)
        {
            int end = fieldPath.IndexOfAny(PathSeparators);
            return end < 0 ? fieldPath : fieldPath.Substring(0, end);
        }
    }
}
