/*
 * Test-fixture guest for wasm32-wasi (WASI preview1) on wasi-libc.
 *
 * Every line it prints is a deterministic function of what the host provides
 * (args, environment, clock readings, random bytes), so tests can assert the
 * output byte-exactly. Returns 0 from main (a normal exit), or 7 when
 * argv[1] is "fail".
 *
 * Expected stdout, for args A0..An-1, env GREETING=G, wall clock W ns and
 * random bytes R:
 *
 *     hello from c
 *     argc: n
 *     argv[0]: A0        (one line per argument)
 *     GREETING=G         ("(unset)" when unset)
 *     now: S.NNNNNNNNN   (W / 1e9 and W % 1e9, or "now: error")
 *     random: R          (16 hex digits, or "random: error")
 *
 * stderr: "warning: to stderr\n". Exit: _start returns normally (no
 * proc_exit) for 0; proc_exit(7) when argv[1] is "fail". wasi-libc calls
 * proc_exit(71) if args_* (before main) or environ_* (at getenv) fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    /* 1. stdout */
    printf("hello from c\n");

    /* 2. command-line arguments (argv[0] included) */
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]: %s\n", i, argv[i]);
    }

    /* 3. environment variable */
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");

    /* 4. wall clock */
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
        printf("now: %lld.%09ld\n", (long long)ts.tv_sec, (long)ts.tv_nsec);
    } else {
        printf("now: error\n");
    }

    /* 5. randomness */
    unsigned char buf[8];
    if (getentropy(buf, sizeof buf) == 0) {
        printf("random: ");
        for (size_t i = 0; i < sizeof buf; i++) {
            printf("%02x", buf[i]);
        }
        printf("\n");
    } else {
        printf("random: error\n");
    }

    /* 6. stderr */
    fprintf(stderr, "warning: to stderr\n");

    /* 7. exit code */
    if (argc > 1 && strcmp(argv[1], "fail") == 0) {
        return 7;
    }
    return 0;
}
