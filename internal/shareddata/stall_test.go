package shareddata

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFetchStalled: a server that accepts the request and then sends nothing, or stops in the
// middle of the body, fails the download after stallAfter with a message that says so, and leaves
// no file; `data fetch` waited for it forever.
func TestFetchStalled(t *testing.T) {
	defer func(d time.Duration) { stallAfter = d }(stallAfter)
	stallAfter = 200 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		select { // say nothing more until the test ends or the client gives up
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	for path, want := range map[string]string{"/headers": "no response for 200ms (the server stalled)", "/body": "no data for 200ms (the server stalled)"} {
		target := filepath.Join(dir, strings.TrimPrefix(path, "/"))
		start := time.Now()
		err := download(context.Background(), defaultClient, srv.URL+path, "0", target)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: gave up after %v", path, d)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s: left %d files", path, len(ents))
		}
	}
}
