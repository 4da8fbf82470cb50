using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace NeoBuffer.Metrics;

/// <summary>
/// The endpoints of this process the observable instruments report: added when an endpoint opens, removed when it is
/// disposed. Touched only at open, dispose and collection, never per message.
/// </summary>
/// <remarks>
/// <para>
/// One lock covers adding, removing and every walk. That is what makes reading shared memory in a walk safe: an
/// endpoint removes itself before it unmaps its segment, and the removal waits for a walk in progress to finish.
/// </para>
/// <para>
/// Entries are weak, so an endpoint its owner forgot to dispose can still be collected and its mapping released by
/// the SafeHandle finalizer, as before metrics existed; its entry is dropped at the next walk. A weak reference that
/// still yields its target means the target, and the segment it holds, are reachable, so the mapping has not been
/// finalized (short weak references are cleared before finalizers run).
/// </para>
/// </remarks>
internal sealed class LiveEndpoints
{
    private readonly Lock _gate = new();
    private readonly List<WeakReference<EndpointMetrics>> _endpoints = [];

    public void Add(EndpointMetrics endpoint)
    {
        lock (_gate)
        {
            _endpoints.Add(new WeakReference<EndpointMetrics>(endpoint));
        }
    }

    public void Remove(EndpointMetrics endpoint)
    {
        lock (_gate)
        {
            for (int i = _endpoints.Count - 1; i >= 0; i--)
            {
                if (!_endpoints[i].TryGetTarget(out EndpointMetrics? live) || live == endpoint)
                {
                    _endpoints.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// One measurement per live endpoint for which <paramref name="reading"/> has a value, tagged with the endpoint's
    /// tags. Allocates per collection (the list, and the tag copy each <see cref="Measurement{T}"/> makes), never per message.
    /// </summary>
    public IEnumerable<Measurement<long>> Observe(Func<EndpointMetrics, long?> reading)
    {
        var measurements = new List<Measurement<long>>();
        lock (_gate)
        {
            for (int i = _endpoints.Count - 1; i >= 0; i--)
            {
                if (!_endpoints[i].TryGetTarget(out EndpointMetrics? endpoint))
                {
                    _endpoints.RemoveAt(i);
                    continue;
                }

                if (reading(endpoint) is long value)
                {
                    measurements.Add(new Measurement<long>(value, endpoint.Tags));
                }
            }
        }

        return measurements;
    }
}
