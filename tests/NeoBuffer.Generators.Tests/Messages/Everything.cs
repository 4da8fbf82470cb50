using System;
using System.Runtime.CompilerServices;

namespace NeoBuffer.Generators.Tests.Messages;

public enum Level : short
{
    Low = -1,
    High = 7,
}

[InlineArray(3)]
public struct ThreeInts
{
    private int _element;
}

[ChannelMessage]
public partial struct Pair
{
    public byte Tag;
    public long Value;
}

/// <summary>One field of every fixed kind, and every var kind: the generated layout check runs on this in the CLR.</summary>
[ChannelMessage]
public unsafe partial struct Everything
{
    public bool Flag;
    public char Letter;
    public Half Ratio;
    public decimal Money;
    public Guid Id;
    public Int128 Big;
    public UInt128 Bigger;
    public Level Level;
    public fixed byte Code[5];
    public ThreeInts Triple;
    public Pair Pair;
    public double Last;
    public VarBytes Blob;
    public VarUtf8 Text;
    public VarArray<long> Longs;
    public VarArray<Pair> Pairs;
    public VarArray<Int128> Wide;
}

/// <summary>A message without variable-length fields, for whole-struct copies.</summary>
[ChannelMessage]
public partial struct Plain
{
    public int A;
    public byte B;
    public double C;
}

/// <summary>Another schema of the same size as <see cref="Plain"/>: a channel of one must refuse the other.</summary>
[ChannelMessage]
public partial struct PlainRenamed
{
    public int A;
    public byte Bee;
    public double C;
}
