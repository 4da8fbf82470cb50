using System.Linq;

namespace NeoBuffer.Nats.Tests;

/// <summary>The inbound bridge's memory of what it committed: exact, and bounded by forgetting the oldest first.</summary>
public sealed class RecentCommitsTests
{
    [Fact]
    public void Only_a_committed_sequence_is_remembered_not_one_between_two_that_were()
    {
        var commits = new RecentCommits(capacity: 8);
        commits.Add(4);
        commits.Add(6);

        Assert.True(commits.Contains(4));
        Assert.True(commits.Contains(6));
        Assert.False(commits.Contains(5));
    }

    [Fact]
    public void Past_its_capacity_it_forgets_the_oldest_first_and_a_repeat_add_does_not_take_a_place()
    {
        var commits = new RecentCommits(capacity: 3);
        commits.Add(1);
        commits.Add(2);
        commits.Add(2);
        commits.Add(3);
        Assert.True(commits.Contains(1));

        commits.Add(4);
        Assert.False(commits.Contains(1));
        Assert.True(commits.Contains(2));
        Assert.True(commits.Contains(3));
        Assert.True(commits.Contains(4));

        commits.Add(5);
        commits.Add(6);
        Assert.False(commits.Contains(2));
        Assert.False(commits.Contains(3));
        Assert.Equal([false, false, false, true, true, true], new ulong[] { 1, 2, 3, 4, 5, 6 }.Select(commits.Contains));
    }
}
