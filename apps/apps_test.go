package apps

import (
	"reflect"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

func TestBuiltinsValidateAndRoundTripJSON(t *testing.T) {
	want := []string{"chatbot", "ml", "svd", "video"}
	var got []string
	for _, a := range All() {
		got = append(got, a.Name)
		w := a.Build()
		if err := w.Validate(); err != nil {
			t.Errorf("%s: %v", a.Name, err)
			continue
		}
		if w.Name != a.Name {
			t.Errorf("%s: workflow is named %q", a.Name, w.Name)
		}
		b, err := dag.MarshalIndent(w)
		if err != nil {
			t.Fatal(err)
		}
		back, err := dag.ParseWorkflow(a.Name+".json", b)
		if err != nil {
			t.Fatalf("%s: own JSON does not parse back: %v", a.Name, err)
		}
		b2, err := dag.MarshalIndent(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(b2) != string(b) {
			t.Errorf("%s: JSON round trip changed the workflow:\n%s\nbecame\n%s", a.Name, b, b2)
		}
		// Build returns a fresh copy: changing one must not change the next.
		w.Functions[0].SerialWork = dag.Const(-1)
		if a.Build().Functions[0].SerialWork.Value == -1 {
			t.Errorf("%s: Build returns shared state", a.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("built-ins = %v, want %v", got, want)
	}
}
