namespace NeoBuffer.Fuzz;

/// <summary>The message the fuzzer decodes: fixed fields, then one of each var kind (VarBytes, VarUtf8, VarArray of int).</summary>
[ChannelMessage(Name = "NeoBuffer.Fuzz.FuzzMessage")]
public partial struct FuzzMessage
{
    public long Id;
    public int Count;
    public bool Flag;
    public byte Kind;
    public VarBytes Blob;
    public VarUtf8 Name;
    public VarArray<int> Values;
}
