//go:build !unix

package experiments

import "os"

// processAlive reports whether a process with id pid exists.
func processAlive(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}
