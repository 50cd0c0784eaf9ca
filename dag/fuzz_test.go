package dag

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata"
)

// The parsers face user files: whatever the bytes, they return a workflow or an error, never
// panic. Every accepted input must also validate and survive a write and re-read. Run longer
// with `make fuzz` or `go test -run '^$' -fuzz FuzzParseWorkflow ./dag`.

func readExample(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzParseWorkflow(f *testing.F) {
	f.Add(readExample(f, "thumbnails.workflow.json"))
	f.Add([]byte(`{"name":"x","functions":[{"name":"f","threads":1,"init_s":{"kind":"uniform","min":1,"max":2}}],"steps":[{"name":"a","task":"f"}]}`))
	f.Add([]byte(`{"name":"x","steps":[{"name":"m","map":{"items":3,"iterator":[{"name":"p","parallel":[[{"name":"q","pass":true}]]}]}}]}`))
	f.Add([]byte(`{"functions":[{"item_skew":{"kind":"empirical","quantiles":[1,"2"]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ParseWorkflow("fuzz.json", data)
		if err != nil {
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("ParseWorkflow accepted an invalid workflow: %v", err)
		}
		b, err := MarshalIndent(w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseWorkflow("rewritten.json", b); err != nil {
			t.Fatalf("a parsed workflow does not read back: %v\n%s", err, b)
		}
	})
}

func FuzzParsePlan(f *testing.F) {
	w, err := ReadWorkflow(filepath.Join(examplesDir, "thumbnails.workflow.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(readExample(f, "thumbnails.plan.json"))
	f.Add([]byte(`{"default_memory_mb":1024,"fuse":[["Ingest","Resize_Map","Index"]],"bundle":{"Resize_Map":8}}`))
	f.Add([]byte(`{"memory_mb":{"Resize":64},"passing":{"Index":"direct","Done":"remote"},"shared_runtime":true}`))
	f.Add([]byte(`{"fuse":[["Resize","Watermark"],["Watermark","Resize"]],"bundle":{"Done":2}}`))
	// A deployment (plan --export-asl's NAME.deploy.json) is a plan too (ParseDeployment).
	fused := UniformPlan(1024)
	fused.Memory = map[string]int{"Watermark": 2048}
	fused.Fuse = [][]string{{"Resize", "Watermark"}}
	fused.Bundle = map[string]int{"Resize_Map": 3}
	ex, err := ExportASL(w, fused, nil, "t.asl.json", "t.functions.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ex.Deployment)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePlan("fuzz.json", data, w)
		if err != nil {
			return
		}
		if err := p.Validate(w); err != nil {
			t.Fatalf("ParsePlan accepted an invalid plan: %v", err)
		}
		if err := p.Clone().Validate(w); err != nil {
			t.Fatalf("a clone of a valid plan does not validate: %v", err)
		}
	})
}

func FuzzParseASL(f *testing.F) {
	add := func(asl, side []byte) { f.Add(asl, side) }
	add(readExample(f, "orders.asl.json"), readExample(f, "orders.functions.json"))
	if dir, ok := shareddata.Path("step-functions"); ok {
		for _, app := range []string{"video-analytics", "ml-pipeline", "chatbot"} {
			asl, err := os.ReadFile(filepath.Join(dir, app+".asl.json"))
			if err != nil {
				f.Fatal(err)
			}
			add(asl, readExample(f, app+".functions.json"))
		}
	}
	add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Next":"B"},"B":{"Type":"Choice","Choices":[{"Next":"A"}]}}}`),
		[]byte(`{"functions":{"A":{"threads":1}}}`))
	add([]byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","End":true}}}],"End":true}}}`),
		[]byte(`{"functions":{"r":{"threads":1}}}`))
	f.Fuzz(func(t *testing.T, asl, side []byte) {
		w, err := ParseASL("fuzz.asl.json", asl, "fuzz.functions.json", side)
		if err != nil {
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("ParseASL returned an invalid workflow: %v", err)
		}
		b, err := MarshalIndent(w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseWorkflow("imported.json", b); err != nil {
			t.Fatalf("an imported workflow does not read back: %v\n%s", err, b)
		}
	})
}
