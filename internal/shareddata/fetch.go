package shareddata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultBaseURL serves a repository's file at a commit as BASE/OWNER/REPO/COMMIT/PATH.
const DefaultBaseURL = "https://raw.githubusercontent.com"

// FetchOptions configures Fetch.
type FetchOptions struct {
	Dir     string       // destination folder (created if needed)
	BaseURL string       // DefaultBaseURL when empty; tests point it at an httptest server
	Client  *http.Client // http.DefaultClient when nil
	Log     io.Writer    // one line per file; nil means quiet
}

// FetchReport says what Fetch did with each file.
type FetchReport struct {
	Fetched, Present []string // names downloaded (or derived) now, and already present and valid
	Manual           []File   // files that cannot be fetched from a public path
	Failed           []string // names that failed (the error says why)
}

// Fetch downloads every fetchable file of Files into opts.Dir, checks its SHA-256, and derives
// the CSVs of the workbook. A file already present with the right digest is kept. A download that
// fails, is cut short or does not match its digest leaves nothing behind (the content goes to a
// temporary file that is renamed only once verified). The error joins every file's failure.
func Fetch(ctx context.Context, opts FetchOptions) (FetchReport, error) {
	var rep FetchReport
	if opts.Dir == "" {
		return rep, errors.New("shareddata: no destination folder")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	client := opts.Client
	if client == nil {
		client = defaultClient
	}
	logf := func(format string, a ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format, a...)
		}
	}
	var errs []error
	for _, f := range Files {
		target := filepath.Join(opts.Dir, filepath.FromSlash(f.Name))
		if ok, _ := hasDigest(target, f.SHA256); ok {
			rep.Present = append(rep.Present, f.Name)
			logf("ok       %s\n", f.Name)
			continue
		}
		var err error
		switch {
		case f.Manual != "":
			rep.Manual = append(rep.Manual, f)
			logf("manual   %s: %s\n", f.Name, f.Manual)
			continue
		case slices.Contains(rep.Failed, f.From):
			err = fmt.Errorf("not derived: its source %s failed", f.From)
		case f.From != "":
			err = derive(opts.Dir, f, target)
		default:
			err = download(ctx, client, base+"/"+f.Repo+"/"+f.Commit+"/"+f.Path, f.SHA256, target)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Name, err))
			rep.Failed = append(rep.Failed, f.Name)
			logf("FAILED   %s: %v\n", f.Name, err)
			continue
		}
		rep.Fetched = append(rep.Fetched, f.Name)
		logf("fetched  %s\n", f.Name)
	}
	return rep, errors.Join(errs...)
}

// Verify checks every file of Files present in dir against its digest; absent files are listed
// apart, and a present file with another digest is an error.
func Verify(dir string) (missing []string, err error) {
	var errs []error
	for _, f := range Files {
		ok, err := hasDigest(filepath.Join(dir, filepath.FromSlash(f.Name)), f.SHA256)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, f.Name)
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", f.Name, err))
		case !ok:
			errs = append(errs, fmt.Errorf("%s: SHA-256 differs from the pinned file's", f.Name))
		}
	}
	return missing, errors.Join(errs...)
}

func hasDigest(path, want string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == want, nil
}

// defaultClient bounds connecting; download gives up on a server that then says nothing
// (stallAfter without a byte, headers or body): with http.DefaultClient, which has no timeout,
// `data fetch` waited for such a server forever. A whole-request timeout would cut off a slow but
// steady download of a large file.
var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy:               http.ProxyFromEnvironment,
	DialContext:         (&net.Dialer{Timeout: 60 * time.Second}).DialContext,
	TLSHandshakeTimeout: 60 * time.Second,
}}

// errStalled is the cause of a download cancelled for a stall, told apart from the caller's
// cancellation.
var errStalled = errors.New("stalled")

// stallAfter is how long a download may go without a byte before it fails.
var stallAfter = 60 * time.Second // a variable for TestFetchStalled

func download(ctx context.Context, client *http.Client, url, want, target string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := func() { cancel(errStalled) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// The response must come, and its bytes keep coming: a stall of stallAfter cancels the request.
	stalled := time.AfterFunc(stallAfter, stall)
	defer stalled.Stop()
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(context.Cause(ctx), errStalled) { // not the caller's own cancellation
			return fmt.Errorf("GET %s: no response for %v (the server stalled)", url, stallAfter)
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	stalled.Reset(stallAfter)
	body := readerFunc(func(b []byte) (int, error) {
		n, err := resp.Body.Read(b)
		if n > 0 {
			stalled.Reset(stallAfter)
		}
		return n, err
	})
	return writeVerified(target, func(w io.Writer) error {
		if _, err := io.Copy(w, body); err != nil {
			if errors.Is(context.Cause(ctx), errStalled) {
				return fmt.Errorf("GET %s: no data for %v (the server stalled)", url, stallAfter)
			}
			return fmt.Errorf("GET %s: %w", url, err)
		}
		return nil
	}, want)
}

// readerFunc is an io.Reader made of a function.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// writeVerified writes target through a temporary file beside it that is renamed only when write
// succeeded and the content's SHA-256 is want; otherwise nothing is left behind.
func writeVerified(target string, write func(io.Writer) error, want string) (err error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".part-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if err := write(io.MultiWriter(tmp, h)); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("SHA-256 %s, want %s (the upstream file changed or the download is corrupt)", got, want)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

func derive(dir string, f File, target string) error {
	src := filepath.Join(dir, filepath.FromSlash(f.From))
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("deriving from %s: %w", f.From, err)
	}
	csv, err := deriveCSV(b, f.Columns, f.Header)
	if err != nil {
		return fmt.Errorf("deriving from %s: %w", f.From, err)
	}
	if err := writeVerified(target, func(w io.Writer) error { _, err := w.Write(csv); return err }, f.SHA256); err != nil {
		return fmt.Errorf("derived from %s: %w", f.From, err)
	}
	return nil
}
