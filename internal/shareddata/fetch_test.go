package shareddata_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// upstream serves the local copies of the fetchable files at their upstream paths
// (/OWNER/REPO/COMMIT/PATH); handle replaces the handler of the files it names.
func upstream(t *testing.T, local string, handle map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, f := range shareddata.Files {
		if f.Repo == "" {
			continue
		}
		body, err := os.ReadFile(filepath.Join(local, filepath.FromSlash(f.Name)))
		if err != nil {
			t.Fatal(err)
		}
		h := func(w http.ResponseWriter, r *http.Request) { w.Write(body) }
		if alt, ok := handle[f.Name]; ok {
			h = alt
		}
		mux.HandleFunc("/"+f.Repo+"/"+f.Commit+"/"+f.Path, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// localData is the local copy of the shared data folder (skips the test without it).
func localData(t *testing.T) string {
	return filepath.Dir(filepath.Dir(sharedtest.Require(t, "azure-dag-structure", "dag_structure.xlsx")))
}

func listFiles(t *testing.T, dir string) []string {
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func TestFetchFromUpstream(t *testing.T) {
	local := localData(t)
	srv := upstream(t, local, nil)
	dir := t.TempDir()
	rep, err := shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: dir, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	manual := 0
	for _, f := range shareddata.Files {
		if f.Manual != "" {
			manual++
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatalf("%s not fetched: %v", f.Name, err)
		}
		want, _ := os.ReadFile(filepath.Join(local, f.Name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the local copy", f.Name)
		}
	}
	if len(rep.Manual) != manual || len(rep.Fetched)+manual != len(shareddata.Files) {
		t.Errorf("report: %d fetched, %d manual; want %d manual of %d", len(rep.Fetched), len(rep.Manual), manual, len(shareddata.Files))
	}
	// A second run finds everything in place and downloads nothing.
	rep, err = shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: dir, BaseURL: "http://127.0.0.1:1"})
	if err != nil || len(rep.Fetched) != 0 {
		t.Errorf("second fetch: %d fetched, err %v; want nothing to do", len(rep.Fetched), err)
	}
	// The folder passes Verify: only the manual files are missing.
	missing, err := shareddata.Verify(dir)
	if err != nil || len(missing) != manual {
		t.Errorf("Verify: missing %v, err %v", missing, err)
	}
}

func TestFetchRejectsBadDownloads(t *testing.T) {
	local := localData(t)
	const victim = "step-functions/chatbot.asl.json"
	for name, h := range map[string]http.HandlerFunc{
		"hash mismatch": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"StartAt":"tampered"}`)) },
		"cut short": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte(`{"Comment": "half a file`))
		},
		"not found": http.NotFound,
	} {
		t.Run(name, func(t *testing.T) {
			srv := upstream(t, local, map[string]http.HandlerFunc{victim: h})
			dir := t.TempDir()
			_, err := shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: dir, BaseURL: srv.URL})
			if err == nil || !strings.Contains(err.Error(), victim) {
				t.Fatalf("err = %v, want one naming %s", err, victim)
			}
			for _, f := range listFiles(t, dir) {
				if strings.Contains(f, "chatbot.asl.json") {
					t.Errorf("a failed download left %s behind", f)
				}
			}
			// The other files are fetched all the same.
			if _, err := os.Stat(filepath.Join(dir, "step-functions", "video-analytics.asl.json")); err != nil {
				t.Errorf("other files not fetched: %v", err)
			}
		})
	}
}

// A failed download is listed in the report, and so are the files derived from it, each saying
// which source failed instead of a missing-file error.
func TestFetchReportsWhatFailed(t *testing.T) {
	local := localData(t)
	const workbook = "azure-dag-structure/dag_structure.xlsx"
	srv := upstream(t, local, map[string]http.HandlerFunc{workbook: http.NotFound})
	rep, err := shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: t.TempDir(), BaseURL: srv.URL})
	want := []string{workbook}
	for _, f := range shareddata.Files {
		if f.From == workbook {
			want = append(want, f.Name)
		}
	}
	if len(want) < 2 || !slices.Equal(rep.Failed, want) {
		t.Fatalf("Failed = %v, want %v", rep.Failed, want)
	}
	if err == nil || !strings.Contains(err.Error(), "not derived: its source "+workbook+" failed") {
		t.Errorf("err = %v, want the derived files to name their failed source", err)
	}
	if len(rep.Fetched)+len(rep.Manual)+len(rep.Failed) != len(shareddata.Files) {
		t.Errorf("report: %d fetched, %d manual, %d failed of %d files", len(rep.Fetched), len(rep.Manual), len(rep.Failed), len(shareddata.Files))
	}
}

// A file present with other content is replaced by the pinned one.
func TestFetchReplacesAlteredFile(t *testing.T) {
	local := localData(t)
	srv := upstream(t, local, nil)
	dir := t.TempDir()
	p := filepath.Join(dir, "step-functions", "ml-pipeline.asl.json")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("edited"), 0o644)
	if _, err := shareddata.Verify(dir); err == nil {
		t.Error("Verify accepted an altered file")
	}
	if _, err := shareddata.Fetch(context.Background(), shareddata.FetchOptions{Dir: dir, BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := shareddata.Verify(dir); err != nil {
		t.Error(err)
	}
}

func TestDirFallsBackToCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	t.Setenv(shareddata.EnvVar, "")
	t.Chdir(t.TempDir())
	if d, ok := shareddata.Dir(); ok {
		t.Fatalf("Dir() = %q with no data anywhere", d)
	}
	c, err := shareddata.CacheDir()
	if err != nil {
		t.Fatalf("no cache folder with HOME set: %v", err)
	}
	os.MkdirAll(c, 0o755)
	if d, ok := shareddata.Dir(); !ok || d != c {
		t.Errorf("Dir() = %q, %v; want the cache %q", d, ok, c)
	}
	// The environment variable still wins.
	t.Setenv(shareddata.EnvVar, cache)
	if d, _ := shareddata.Dir(); d != cache {
		t.Errorf("Dir() = %q, want $%s", d, shareddata.EnvVar)
	}
}

// TestExplain: a missing file of the manifest says how to get it (fetch, or by hand with the
// manifest's reason); another file's error, or another error, is left as it is.
func TestExplain(t *testing.T) {
	dir := t.TempDir()
	var manual, fetchable shareddata.File
	for _, f := range shareddata.Files {
		if f.Manual != "" && manual.Name == "" {
			manual = f
		}
		if f.Manual == "" && f.From == "" && fetchable.Name == "" {
			fetchable = f
		}
	}
	open := func(name string) error {
		_, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		return err
	}
	if err := shareddata.Explain(dir, open(manual.Name)); !strings.Contains(err.Error(), manual.Manual) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manual file: %v, want its reason and still ErrNotExist", err)
	}
	if err := shareddata.Explain(dir, open(fetchable.Name)); !strings.Contains(err.Error(), "run 'wisefuse data fetch'") {
		t.Errorf("fetchable file: %v, want the fetch hint", err)
	}
	other := open("not-in-the-manifest.txt")
	if err := shareddata.Explain(dir, other); err != other {
		t.Errorf("another file: %v, want the error as it was", err)
	}
}
