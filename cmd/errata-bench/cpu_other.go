//go:build !unix

package main

import "time"

// processCPU is unknown here: the HTTP runs report no CPU per request.
func processCPU() time.Duration { return 0 }
