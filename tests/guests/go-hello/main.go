// Test-fixture guest for GOOS=wasip1 GOARCH=wasm (a WASI preview1 command).
//
// Every line it prints is a deterministic function of what the host provides
// (args, environment, clock readings, random bytes), so tests can assert the
// output byte-exactly. It ends with os.Exit(3), i.e. proc_exit(3).
//
// Expected stdout, for args A..., env GREETING=G, wall clock W ns, random R:
//
//	hello from go
//	args: [A...]          (space-separated, argv[0] included)
//	GREETING=G            (empty G when unset)
//	now: W                (clock_time_get(REALTIME) as int64 nanoseconds)
//	slept: 10s            (monotonic delta across the sleep, rounded to 1s)
//	random: R             (hex of the 8 bytes of the 2nd random_get call)
//
// stderr: "warning: to stderr\n"; exit code 3.
//
// Start-up needs from the host: args_*/environ_* and clock_time_get
// (MONOTONIC) to succeed, and fd_prestat_get(3) to fail with EBADF (any other
// error panics in package syscall's init). time.Sleep polls with one relative
// CLOCK_MONOTONIC subscription and re-polls until the monotonic clock reaches
// the deadline, so the host's poll_oneoff must let that clock advance.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

func main() {
	// 1. stdout
	fmt.Println("hello from go")

	// 2. command-line arguments (os.Args includes argv[0])
	fmt.Println("args:", os.Args)

	// 3. environment variable ("" when unset)
	fmt.Println("GREETING=" + os.Getenv("GREETING"))

	// 4. wall clock, in nanoseconds since the UNIX epoch
	fmt.Println("now:", time.Now().UnixNano())

	// 5. monotonic clock + sleep (poll_oneoff with a clock subscription)
	start := time.Now()
	time.Sleep(10 * time.Second)
	fmt.Println("slept:", time.Since(start).Round(time.Second))

	// 6. randomness
	buf := make([]byte, 8)
	if _, err := rand.Read(buf); err != nil {
		fmt.Println("random error:", err)
	} else {
		fmt.Println("random:", hex.EncodeToString(buf))
	}

	// 7. stderr
	fmt.Fprintln(os.Stderr, "warning: to stderr")

	// 8. explicit exit code
	os.Exit(3)
}
