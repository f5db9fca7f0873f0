// Test-fixture guest for GOOS=wasip1 GOARCH=wasm built with
// -buildmode=c-shared: a WASI preview1 *reactor*. It exports _initialize
// (which the host must call first) plus the functions below; main is never
// run as a command.
//
// _initialize runs the Go runtime's start-up (same WASI needs as go-hello:
// args, environ, clocks, and fd_prestat_get(3) answering EBADF) and returns.
// Then add(a, b) = a+b (wrapping), greet(n) writes "hello <n>\n" to stdout and
// warn() writes "careful\n" to stderr, each with one fd_write.
package main

import (
	"fmt"
	"os"
)

func main() {}

//go:wasmexport add
func add(a, b int32) int32 {
	return a + b
}

//go:wasmexport greet
func greet(n int32) {
	fmt.Printf("hello %d\n", n)
}

//go:wasmexport warn
func warn() {
	fmt.Fprintln(os.Stderr, "careful")
}
