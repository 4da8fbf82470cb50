using System;
using System.Threading;

namespace NeoBuffer.Requests;

/// <summary>
/// The indices of a client's free request slots, as a stack linked through an array: pushed from any thread (a slot is
/// recycled wherever its request's result was taken), popped by one thread at a time (the holder of the client's send
/// gate). Both are one CAS, where a lock cost one for each and a fence to wait behind.
/// </summary>
/// <remarks>
/// A stack of one popper has no ABA problem: between the popper's read of the top <c>t</c> (and of <c>t</c>'s next) and
/// its CAS, no other thread removes anything, so <c>t</c> is still in the stack; and an index is pushed only while it is
/// not in the stack (a slot is recycled once per use), so <c>t</c>'s next is not rewritten meanwhile. If the top is
/// still <c>t</c>, the CAS therefore removes exactly <c>t</c>. A push writes its next before the CAS that publishes
/// it (a full fence), and the popper reads a next only after it read the top that names it.
/// </remarks>
internal sealed class FreeSlotList
{
    private const int Empty = -1;

    private readonly int[] _next;
    private int _top;

    /// <summary>Makes a list holding every index from 0 to <paramref name="count"/> - 1, 0 on top.</summary>
    public FreeSlotList(int count)
    {
        _next = new int[count];
        for (int i = 0; i < count; i++)
        {
            _next[i] = i + 1 < count ? i + 1 : Empty;
        }

        _top = count > 0 ? 0 : Empty;
    }

    /// <summary>Puts a free index back; any thread.</summary>
    /// <exception cref="InvalidOperationException">The index is on top already (pushed twice: a bug, which would otherwise link it to itself).</exception>
    public void Push(int index)
    {
        int top = Volatile.Read(ref _top);
        while (true)
        {
            if (top == index)
            {
                throw new InvalidOperationException($"Request slot {index} was freed twice.");
            }

            _next[index] = top;
            int seen = Interlocked.CompareExchange(ref _top, index, top);
            if (seen == top)
            {
                return;
            }

            top = seen;
        }
    }

    /// <summary>Takes a free index; one thread at a time (see remarks).</summary>
    /// <exception cref="InvalidOperationException">No index is free (the caller's permit promised one: a bug in this library).</exception>
    public int Pop()
    {
        int top = Volatile.Read(ref _top);
        while (top != Empty)
        {
            int seen = Interlocked.CompareExchange(ref _top, _next[top], top);
            if (seen == top)
            {
                return top;
            }

            top = seen;
        }

        throw new InvalidOperationException("No request slot is free although an in-flight permit was held.");
    }

    /// <summary>How many indices the list holds; exact only while nobody pushes or pops (tests).</summary>
    public int Count
    {
        get
        {
            int count = 0;
            for (int index = Volatile.Read(ref _top); index != Empty && count <= _next.Length; index = _next[index])
            {
                count++;
            }

            return count;
        }
    }
}
