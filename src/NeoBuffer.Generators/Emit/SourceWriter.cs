using System.Text;

namespace NeoBuffer.Generators.Emit
{
    /// <summary>Builds C# source line by line at the current indentation, with '\n' line ends on every platform.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        /// <summary>Writes <paramref name="text"/>, each of its lines at the current indentation.</summary>
        public SourceWriter Line(string text = "")
        {
            foreach (string line in text.Split('\n'))
            {
                if (line.Length > 0)
                {
                    _text.Append(' ', _indent * 4).Append(line);
                }

                _text.Append('\n');
            }

            return this;
        }

        /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents.</summary>
        public SourceWriter Open(string? header = null)
        {
            if (header is not null)
            {
                Line(header);
            }

            Line("{");
            _indent++;
            return this;
        }

        /// <summary>Unindents and writes the closing brace (with <paramref name="suffix"/>, e.g. a semicolon).</summary>
        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => _text.ToString();
    }
}
