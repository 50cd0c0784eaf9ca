package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	for _, c := range []struct {
		v    string
		bi   *debug.BuildInfo
		want string
	}{
		{"dev", nil, "wisefuse dev ("},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "wisefuse dev (revision 0123456789ab, modified) ("},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, "wisefuse v0.3.0 ("},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101000000-0123456789ab"}, Settings: rev[:1]},
			"wisefuse v0.0.0-20260101000000-0123456789ab (revision 0123456789ab) ("},
		{"v1.2.0", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, "wisefuse v1.2.0 ("},
	} {
		if got := versionOf(c.v, c.bi); !strings.HasPrefix(got, c.want) {
			t.Errorf("versionOf(%q, %+v) = %q, want prefix %q", c.v, c.bi, got, c.want)
		}
	}
	// --version is the version command.
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := runCLI(args...)
		if code != 0 || !strings.HasPrefix(out, "wisefuse ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
