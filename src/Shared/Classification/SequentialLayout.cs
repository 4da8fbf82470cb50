namespace NeoBuffer.Classification
{
    /// <summary>
    /// Places fields one after another at their natural alignment, as the CLR lays out a sequential struct without
    /// <c>Pack</c> or <c>Size</c>.
    /// </summary>
    internal struct SequentialLayout
    {
        private int _end;
        private int _alignment;

        /// <summary>Places a field and returns its offset.</summary>
        public int Add(int size, int alignment)
        {
            int offset = AlignUp(_end, alignment);
            _end = offset + size;
            if (alignment > _alignment)
            {
                _alignment = alignment;
            }

            return offset;
        }

        public readonly int Alignment => _alignment == 0 ? 1 : _alignment;

        // The CLR gives an empty struct one byte, and pads every struct to a multiple of its alignment.
        public readonly int Size => _end == 0 ? 1 : AlignUp(_end, Alignment);

        public static int AlignUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
    }
}
