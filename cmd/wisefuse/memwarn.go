package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// gcFactor is the heap the Go collector lets grow per byte of live data (GOGC=100: twice).
const gcFactor = 2

// traceGenMemory estimates the peak heap `trace gen --function-table` adds: the simulated runs'
// function records, kept until the trace is written (traces.GenConfig.KeptFunctions), doubled
// for the slack of the slices they are appended to. The rows themselves stream out.
func traceGenMemory(records, bytesEach int64) int64 {
	return gcFactor * 2 * records * bytesEach
}

// arrivalsMemory estimates the peak heap of reading an --arrivals CSV of lines lines: 8 bytes
// an arrival time, in one slice sized by countLines, and the collector's factor for the garbage
// of parsing. The simulation that follows holds only what is in flight.
func arrivalsMemory(lines int64) int64 {
	return gcFactor * 8 * lines
}

// countLines counts the newlines of r, and a last line without one.
func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 1<<16)
	var n int64
	last := byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += int64(bytes.Count(buf[:k], []byte{'\n'}))
			last = buf[k-1]
		}
		if err == io.EOF {
			if last != '\n' {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// memoryWarning returns a warning when a run is estimated to need more than the memory
// available (available returns it, 0 when unknown), "" otherwise. what names the estimate's
// terms; fix says how to need less.
func memoryWarning(need, available int64, what, fix string) string {
	if available <= 0 || need <= available {
		return ""
	}
	return fmt.Sprintf("this run will hold about %s in memory (%s), more than the %s available: it may be killed or swap; %s",
		humanBytes(need), what, humanBytes(available), fix)
}

// availableMemory is the memory this process can use: MemAvailable from /proc/meminfo, or its
// hard limit when that is lower: its cgroup (v2) limit or its address-space limit (ulimit -v);
// 0 where none is readable.
func availableMemory() int64 {
	avail := addressSpaceLimit() // the heap cannot grow past it
	lower := func(b int64) {
		if b > 0 && (avail == 0 || b < avail) {
			avail = b
		}
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if m, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			lower(m)
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64); err == nil {
					lower(kb * 1024)
				}
			}
		}
		f.Close()
	}
	return avail
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<40:
		return fmt.Sprintf("%.1f TB", float64(n)/(1<<40))
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}
