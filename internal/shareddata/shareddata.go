// Package shareddata locates the public measurements (see ../shared/data/README.md) that tests,
// calibration and some experiments read, and fetches them (Fetch) from their original
// repositories at pinned commits into the user's cache folder. The project never commits those
// files; it only reads them. Tests ask for a file with sharedtest.Require, which skips (or fails
// under CI) when it is absent; that helper lives in its own package so that binaries do not link
// package testing.
package shareddata

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// EnvVar overrides where the shared data folder is.
const EnvVar = "WISEFUSE_SHARED_DATA"

// Dir returns the shared data folder: $WISEFUSE_SHARED_DATA if set, else the first "shared/data"
// found beside the working directory or one of its parents (the repository sits next to shared/),
// else the cache folder that `wisefuse data fetch` fills (CacheDir) when it exists.
func Dir() (string, bool) {
	if d := os.Getenv(EnvVar); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		return d, false
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, true
		}
		if parent := filepath.Dir(dir); parent == dir {
			break
		}
	}
	if c, err := CacheDir(); err == nil {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c, true
		}
	}
	return "", false
}

// CacheDir is where Fetch stores the public files by default: os.UserCacheDir()/wisefuse/data
// (on Linux $XDG_CACHE_HOME or ~/.cache, on macOS ~/Library/Caches).
func CacheDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "wisefuse", "data"), nil
}

// Path joins elem onto the shared data folder; ok is false when the folder is absent.
func Path(elem ...string) (string, bool) {
	d, ok := Dir()
	if !ok {
		return "", false
	}
	return filepath.Join(append([]string{d}, elem...)...), true
}

// InCI reports whether the tests run under CI (CI=true), where missing data is a failure
// (sharedtest.Require).
func InCI() bool { return os.Getenv("CI") == "true" }

// Explain adds to err, when it is a file of Files missing from data folder dir, how to get it:
// 'wisefuse data fetch', or for a file no public path serves, its Manual instructions
// (docs/data.md). Any other error comes back as it is.
func Explain(dir string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	rel, rerr := filepath.Rel(dir, pe.Path)
	if rerr != nil {
		return err
	}
	for _, f := range Files {
		if f.Name != filepath.ToSlash(rel) {
			continue
		}
		if f.Manual != "" {
			return fmt.Errorf("%w ('wisefuse data fetch' cannot fetch it: %s; docs/data.md)", err, f.Manual)
		}
		return fmt.Errorf("%w (run 'wisefuse data fetch', or make data)", err)
	}
	return err
}
