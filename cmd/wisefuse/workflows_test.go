package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

func TestWorkflowsListAndShow(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"workflows"}, &out, &errb); code != 0 {
		t.Fatalf("workflows: exit %d, stderr %s", code, errb.String())
	}
	list := out.String()
	for _, name := range []string{"video", "ml", "chatbot", "svd"} {
		if !strings.Contains(list, name+" ") {
			t.Errorf("list lacks %s:\n%s", name, list)
		}
		out.Reset()
		if code := run([]string{"workflows", "show", name}, &out, &errb); code != 0 {
			t.Fatalf("show %s: exit %d, stderr %s", name, code, errb.String())
		}
		if _, err := dag.ParseWorkflow(name, out.Bytes()); err != nil {
			t.Errorf("show %s prints JSON that does not parse: %v", name, err)
		}
	}
	if code := run([]string{"workflows", "show", "nope"}, &out, &errb); code != 2 {
		t.Errorf("unknown workflow: exit %d, want 2", code)
	}
}
