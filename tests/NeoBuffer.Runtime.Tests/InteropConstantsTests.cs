using System;
using System.IO;
using System.Runtime.InteropServices;
using NeoBuffer.Interop;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The platform constants in Interop/ checked, for the architecture this runs on, against what the kernel does with
/// them: a wrong value (arm64's O_NOFOLLOW is 0x8000; x86-64's 0x20000 means O_LARGEFILE there) fails here instead of
/// silently weakening a check.
/// </summary>
public sealed unsafe class InteropConstantsTests : IDisposable
{
    private readonly TestChannel _directory = new("interop");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void O_NOFOLLOW_refuses_a_symlink_and_opens_a_regular_file()
    {
        string target = Path.Combine(_directory.Directory, "target");
        string link = Path.Combine(_directory.Directory, "link");
        File.WriteAllText(target, "x");
        File.CreateSymbolicLink(link, target);

        int refused = LibC.Open(link, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        int errno = Marshal.GetLastSystemError();
        if (refused >= 0)
        {
            LibC.Close(refused);
        }

        Assert.True(refused < 0, $"open(O_NOFOLLOW = 0x{LibC.O_NOFOLLOW:x}) followed a symlink on {RuntimeInformation.ProcessArchitecture}");
        Assert.Equal(LibC.ELOOP, errno);

        int opened = LibC.Open(target, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        Assert.True(opened >= 0, LibC.Describe(Marshal.GetLastSystemError()));
        LibC.Close(opened);
    }

    [Fact]
    public void O_CREAT_with_O_EXCL_refuses_an_existing_name_and_O_CLOEXEC_sets_close_on_exec()
    {
        string path = Path.Combine(_directory.Directory, "file");
        int created = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x180);
        Assert.True(created >= 0, LibC.Describe(Marshal.GetLastSystemError()));
        try
        {
            const int F_GETFD = 1, FD_CLOEXEC = 1;
            Assert.Equal(FD_CLOEXEC, LibC.FcntlInt(created, F_GETFD, 0) & FD_CLOEXEC);
            int again = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x180);
            int errno = Marshal.GetLastSystemError();
            Assert.True(again < 0, "O_CREAT | O_EXCL opened an existing file");
            Assert.Equal(LibC.EEXIST, errno);
            Assert.Equal(0, LibC.FTruncate(created, 4096));
            Assert.Equal(4096, LibC.LSeek(created, 0, LibC.SEEK_END));
        }
        finally
        {
            LibC.Close(created);
        }
    }

    [Fact]
    public void F_OFD_locks_are_per_open_file_description_and_GETLK_reports_the_conflict()
    {
        string path = Path.Combine(_directory.Directory, "locks");
        File.WriteAllBytes(path, new byte[64]);
        int first = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        int second = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try
        {
            // Classic POSIX locks never conflict within one process; OFD locks do, between two descriptions.
            Assert.True(ByteLocks.TryLock(first, 8));
            Assert.False(ByteLocks.TryLock(second, 8));
            Assert.True(ByteLocks.IsLockedByOther(second, 8));

            var probe = new LibC.Flock { Type = LibC.F_WRLCK, Whence = LibC.SEEK_SET, Start = 8, Length = 1 };
            Assert.Equal(0, LibC.FcntlLock(second, LibC.F_OFD_GETLK, &probe));
            Assert.Equal(LibC.F_WRLCK, probe.Type);
            Assert.Equal(-1, probe.Pid); // an OFD lock has no owning process

            ByteLocks.Unlock(first, 8);
            Assert.False(ByteLocks.IsLockedByOther(second, 8));
        }
        finally
        {
            LibC.Close(first);
            LibC.Close(second);
        }
    }

    [Fact]
    public void Memfd_seals_are_applied_and_enforced()
    {
        int fd = LibC.MemfdCreate("neobuffer-interop-test", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        Assert.True(fd >= 0, LibC.Describe(Marshal.GetLastSystemError()));
        try
        {
            Assert.Equal(0, LibC.FTruncate(fd, 4096));
            Assert.Equal(0, LibC.FcntlInt(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW));
            Assert.Equal(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW, LibC.FcntlInt(fd, LibC.F_GET_SEALS, 0));
            Assert.Equal(-1, LibC.FTruncate(fd, 8192));
            Assert.Equal(LibC.EPERM, Marshal.GetLastSystemError());

            void* mapped = LibC.MMap(null, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            Assert.True(mapped != (void*)-1, LibC.Describe(Marshal.GetLastSystemError()));
            *(int*)mapped = 42;
            Assert.Equal(0, LibC.MProtect(mapped, 4096, LibC.PROT_READ));
            Assert.Equal(42, *(int*)mapped);
            Assert.Equal(0, LibC.MUnmap(mapped, 4096));
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    [Fact]
    public void The_futex_syscall_number_reaches_futex()
    {
        int* word = (int*)NativeMemory.AllocZeroed(sizeof(int));
        try
        {
            Assert.True(Futex.Wait(word, 1, 1_000_000)); // the value differs: EAGAIN at once, not ENOSYS nor a sleep
            Assert.False(Futex.Wait(word, 0, 1_000_000)); // the value matches: sleeps until the 1 ms timeout
        }
        finally
        {
            NativeMemory.Free(word);
        }
    }

    [Fact]
    public void The_membarrier_syscall_number_reaches_membarrier()
    {
        if (!Membarrier.IsRegistered)
        {
            return; // publishers fence instead: no barrier is made in this process
        }

        Assert.True(Membarrier.GlobalBarrier(), "a registered process's global barrier failed");
    }

    [Fact]
    public void The_participant_rows_counters_lie_in_the_rows_owner_written_line_at_the_documented_offsets()
    {
        // docs/format.md, "Participant table": tools in other processes read them at these offsets.
        Assert.Equal(0x60, (int)Marshal.OffsetOf<Format.ParticipantRow>(nameof(Format.ParticipantRow.Messages)));
        Assert.Equal(0x68, (int)Marshal.OffsetOf<Format.ParticipantRow>(nameof(Format.ParticipantRow.Bytes)));
        Assert.Equal(0x70, (int)Marshal.OffsetOf<Format.ParticipantRow>(nameof(Format.ParticipantRow.ParkedWaits)));
        Assert.Equal(0x40, (int)Marshal.OffsetOf<Format.ParticipantRow>(nameof(Format.ParticipantRow.Position))); // the line they share
        Assert.Equal(128, sizeof(Format.ParticipantRow));
    }
}
