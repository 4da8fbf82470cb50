// The hardware floor of the `request` run's echo, with no library and no runtime: two processes pinned to CPUs 0 and 1
// share an anonymous mapping holding a request ring and a response ring of 1 MiB each (the harness's request rings).
// Each round trip, the client fills a request of PAYLOAD bytes into the next stretch of the request ring (a sequence
// number, then a byte pattern) and publishes it with one release store; the server, spinning on that word, copies the
// request's bytes into the next stretch of the response ring and publishes it; the client, spinning, reads every byte
// of the response (a vectorised sum) and checks the sequence. That is the per-byte work of the harness's NeoBuffer
// rows (fill, one copy on the server, every byte read on the client) without framing, envelopes, gates or the copy of
// the response out of the ring: no shared-memory transport doing this echo can be faster. Prints the p50 and p99 of
// the second half of the round trips, and the p50 of a cache-line ping-pong measured just before.
//
//   gcc -O2 -mavx2 -o /tmp/echo-floor benchmarks/probes/echo-floor.c
//   /tmp/echo-floor 65536      64 KiB requests and responses
//   /tmp/echo-floor 64         64 B
#define _GNU_SOURCE
#include <immintrin.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { RingBytes = 1 << 20, MaxPayload = 1 << 18, PingPongs = 200000 };

static void pin(int cpu) { cpu_set_t set; CPU_ZERO(&set); CPU_SET(cpu, &set); sched_setaffinity(0, sizeof set, &set); }
static uint64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000ull + t.tv_nsec; }
static int compare(const void *a, const void *b) { uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b; return x < y ? -1 : x > y; }

// The offset of the next round trip's stretch: back to back, wrapping before the ring's end; an add and a compare, as
// a ring's position is (a division per round trip would be on the timed path).
static int64_t next_stretch(int64_t *offset, int stride)
{
    int64_t at = *offset;
    *offset = at + 2 * stride <= RingBytes ? at + stride : 0;
    return at;
}

static uint64_t sum_of(const char *bytes, int length)
{
    __m256i sum = _mm256_setzero_si256();
    int i = 0;
    for (; i + 32 <= length; i += 32) {
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(bytes + i)), _mm256_setzero_si256()));
    }

    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, sum);
    uint64_t total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; i < length; i++) total += (unsigned char)bytes[i];
    return total;
}

// The parent's spins look at the child now and then: a child that died ends the run instead of hanging it.
static pid_t child;
static void check_child(uint64_t *spins)
{
    if (++*spins % (1u << 24) == 0 && waitpid(child, NULL, WNOHANG) == child) {
        fprintf(stderr, "echo-floor: the echo child died\n");
        exit(1);
    }
}

static uint64_t median(uint64_t *samples, int count)
{
    qsort(samples, count, sizeof *samples, compare);
    return samples[count / 2];
}

int main(int argc, char **argv)
{
    int payload = argc > 1 ? atoi(argv[1]) : 65536;
    if (payload < 16 || payload > MaxPayload) { fprintf(stderr, "echo-floor: PAYLOAD must be 16-%d bytes\n", MaxPayload); return 2; }
    int stride = (8 + payload + 63) & ~63; // a publication word, then the payload; each stretch on lines of its own
    int round_trips = payload >= 4096 ? 20000 : 200000;

    char *shared = mmap(NULL, 2 * RingBytes + 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) { perror("echo-floor: mmap"); return 1; }
    memset(shared, 0, 2 * RingBytes + 4096);
    char *requests = shared, *responses = shared + RingBytes;
    volatile int64_t *ping = (int64_t *)(shared + 2 * RingBytes), *pong = (int64_t *)(shared + 2 * RingBytes + 256);
    uint64_t *samples = malloc(sizeof(uint64_t) * (round_trips > PingPongs ? round_trips : PingPongs));
    char *source = malloc(payload);
    for (int i = 0; i < payload; i++) source[i] = (char)(i * 7);

    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); // never left spinning if the parent dies
        if (getppid() != parent) _exit(1);
        pin(1);
        int64_t offset = 0;
        for (int64_t i = 1; i <= PingPongs; i++) { while (*ping != i) { } *pong = i; }
        for (int64_t i = 1; i <= round_trips; i++) {
            int64_t at = next_stretch(&offset, stride);
            char *request = requests + at, *response = responses + at;
            while (__atomic_load_n((int64_t *)request, __ATOMIC_ACQUIRE) != i) { }
            memcpy(response + 8, request + 8, payload);
            __atomic_store_n((int64_t *)response, i, __ATOMIC_RELEASE);
        }
        _exit(0);
    }

    pin(0);
    for (int64_t i = 1; i <= PingPongs; i++) {
        uint64_t start = now_ns();
        *ping = i;
        uint64_t spins = 0;
        while (*pong != i) check_child(&spins);
        samples[i - 1] = now_ns() - start;
    }
    uint64_t pingpong = median(samples + PingPongs / 2, PingPongs / 2);

    uint64_t checksum = 0;
    int64_t offset = 0;
    for (int64_t i = 1; i <= round_trips; i++) {
        uint64_t start = now_ns();
        int64_t at = next_stretch(&offset, stride);
        char *request = requests + at, *response = responses + at;
        memcpy(request + 8, source, payload);
        memcpy(request + 8, &i, sizeof i); // the sequence number, as the harness stamps it
        __atomic_store_n((int64_t *)request, i, __ATOMIC_RELEASE);
        uint64_t spins = 0;
        while (__atomic_load_n((int64_t *)response, __ATOMIC_ACQUIRE) != i) check_child(&spins);
        int64_t sequence;
        memcpy(&sequence, response + 8, sizeof sequence);
        if (sequence != i) {
            fprintf(stderr, "echo-floor: response %lld answers %lld\n", (long long)i, (long long)sequence);
            kill(child, SIGKILL);
            return 1;
        }
        checksum += sum_of(response + 8, payload);
        samples[i - 1] = now_ns() - start;
    }

    waitpid(child, NULL, 0);
    uint64_t *timed = samples + round_trips / 2; // the first half warms up
    uint64_t p50 = median(timed, round_trips / 2);
    printf("echo payload %d B: p50 %llu ns, p99 %llu ns; ping-pong p50 %llu ns (%.2fx); checksum %llu\n", payload,
           (unsigned long long)p50, (unsigned long long)timed[round_trips / 2 * 99 / 100], (unsigned long long)pingpong,
           (double)p50 / pingpong, (unsigned long long)checksum);
    return 0;
}
