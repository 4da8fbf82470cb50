// The hardware floor of a spinning round trip through a record ring, with no library and no runtime: two processes
// pinned to CPUs 0 and 1 bounce one record through two rings of 64 KiB in a shared anonymous mapping, laid out as
// NeoBuffer's SPSC records are (an 8-byte header word, then the payload; records 8-aligned, back to back; the header
// after a record zeroed before the record is published). Prints the p50 and p99 of the second half of 200,000 round
// trips. Build and run (docs/benchmarks/notes.md, "The round trip"):
//
//   gcc -O2 -mavx2 -o /tmp/ring-floor benchmarks/probes/ring-floor.c
//   /tmp/ring-floor pingpong           the raw cache-line ping-pong: one word each way
//   /tmp/ring-floor ring 64            64 B payloads (72-byte records: two lines per hop)
//   /tmp/ring-floor ring 56            56 B payloads (64-byte records: one line)
//   /tmp/ring-floor ring 64 touch      the reader also loads the line after the header's while it polls
//   /tmp/ring-floor ring 64 late       the next header zeroed at the commit, between payload and header
//   /tmp/ring-floor ring 64 demote     the writer CLDEMOTEs the record's lines after publishing it
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { RingBytes = 64 * 1024, RoundTrips = 200000 };

typedef struct { char *data; int64_t position; } ring;

static int payload_bytes, footprint, touch, late_zero, demote;

static void pin(int cpu) { cpu_set_t set; CPU_ZERO(&set); CPU_SET(cpu, &set); sched_setaffinity(0, sizeof set, &set); }
static uint64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000ull + t.tv_nsec; }
static int compare(const void *a, const void *b) { uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b; return x < y ? -1 : x > y; }

static void put(ring *r, const char *source, int64_t sequence)
{
    int64_t offset = r->position & (RingBytes - 1);
    if (offset + footprint + 8 > RingBytes) { // pad to the end: a -1 header, published after the start is zeroed
        *(volatile int64_t *)r->data = 0;
        __atomic_store_n((int64_t *)(r->data + offset), -1, __ATOMIC_RELEASE);
        r->position += RingBytes - offset;
        offset = 0;
    }

    char *record = r->data + offset;
    if (!late_zero) *(int64_t *)(record + footprint) = 0;
    memcpy(record + 8, source, payload_bytes);
    if (late_zero) *(int64_t *)(record + footprint) = 0;
    __atomic_store_n((int64_t *)record, (int64_t)(8 + payload_bytes) | (sequence << 32), __ATOMIC_RELEASE);
    if (demote) {
        for (char *line = (char *)((uintptr_t)record & ~63ull); line < record + footprint; line += 64) {
            __asm__ volatile("cldemote (%0)" ::"r"(line) : "memory");
        }
    }

    r->position += footprint;
}

static void get(ring *r, char *destination)
{
    for (;;) {
        int64_t offset = r->position & (RingBytes - 1);
        int64_t word;
        while ((word = __atomic_load_n((int64_t *)(r->data + offset), __ATOMIC_ACQUIRE)) == 0) {
            if (touch) {
                int64_t next = ((offset + 64) & ~63ll) & (RingBytes - 1);
                (void)*(volatile char *)(r->data + next);
            }
        }

        if (word == -1) { r->position += RingBytes - offset; continue; }
        memcpy(destination, r->data + offset + 8, payload_bytes);
        r->position += footprint;
        return;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "pingpong") && strcmp(argv[1], "ring"))) {
        fprintf(stderr, "usage: ring-floor pingpong | ring PAYLOAD [touch|late|demote]\n");
        return 2;
    }

    int pingpong = !strcmp(argv[1], "pingpong");
    payload_bytes = argc > 2 ? atoi(argv[2]) : 64;
    if (payload_bytes < 1 || payload_bytes > 4096) { fprintf(stderr, "ring-floor: PAYLOAD must be 1-4096 bytes\n"); return 2; }
    footprint = (8 + payload_bytes + 7) & ~7;
    for (int i = 3; i < argc; i++) {
        touch |= !strcmp(argv[i], "touch");
        late_zero |= !strcmp(argv[i], "late");
        demote |= !strcmp(argv[i], "demote");
    }

    char *shared = mmap(NULL, 4 * RingBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) { perror("ring-floor: mmap"); return 1; }
    memset(shared, 0, 4 * RingBytes);
    ring ping = { shared, 0 }, pong = { shared + 2 * RingBytes, 0 };
    volatile int64_t *ping_word = (int64_t *)shared, *pong_word = (int64_t *)(shared + 256);
    static uint64_t samples[RoundTrips];
    static char message[4096];
    memset(message, 1, sizeof message);

    pid_t child = fork();
    if (child == 0) {
        pin(1);
        for (int64_t i = 1; i <= RoundTrips; i++) {
            if (pingpong) { while (*ping_word != i) { } *pong_word = i; }
            else { get(&ping, message); put(&pong, message, i); }
        }
        _exit(0);
    }

    pin(0);
    for (int64_t i = 1; i <= RoundTrips; i++) {
        uint64_t start = now_ns();
        if (pingpong) { *ping_word = i; while (*pong_word != i) { } }
        else { put(&ping, message, i); get(&pong, message); }
        samples[i - 1] = now_ns() - start;
    }

    waitpid(child, NULL, 0);
    uint64_t *timed = samples + RoundTrips / 2; // the first half warms up
    qsort(timed, RoundTrips / 2, sizeof *timed, compare);
    printf("%s payload %d B%s%s%s: p50 %llu ns, p99 %llu ns\n", argv[1], pingpong ? 8 : payload_bytes, touch ? ", touch" : "",
           late_zero ? ", late zero" : "", demote ? ", demote" : "", (unsigned long long)timed[RoundTrips / 4],
           (unsigned long long)timed[RoundTrips / 2 * 99 / 100]);
    return 0;
}
