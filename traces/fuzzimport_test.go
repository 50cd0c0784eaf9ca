package traces

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadAzure2021: any file given to 'trace import --format azure2021' either imports as
// functions whose one-function workflows validate, or stops with an error naming the file; never
// a panic. The seeds are rows as the public trace has them and a row cut short.
func FuzzReadAzure2021(f *testing.F) {
	const hdr = "app,func,end_timestamp,duration\n"
	f.Add([]byte(hdr + "a1,f1,0.08,0.078\na1,f1,57.16,57.154\nb2,f9,3,0.5\n"))
	f.Add([]byte(hdr + "a1,f1,5,10\n"))   // started before the trace window
	f.Add([]byte(hdr + "a1,f1,0.08,\n"))  // a field empty
	f.Add([]byte(hdr + "a1,f1,1e13,1\n")) // past sim.MaxTime
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		imp, err := ReadAzure2021(path)
		if err != nil {
			if !strings.Contains(err.Error(), "in.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i := range imp.Functions {
			if err := imp.Functions[i].Workflow().Validate(); err != nil {
				t.Fatalf("function %s imports as an invalid workflow: %v", imp.Functions[i].ID(), err)
			}
		}
	})
}

// FuzzReadCatalog: any catalog file either reads as entries whose workflows validate, or stops
// with an error naming the file; never a panic.
func FuzzReadCatalog(f *testing.F) {
	const hdr = "dag_id,invocations,width,depth,nodes,data_bytes,workflow\n"
	wf := `"{""name"":""d"",""functions"":[{""name"":""f"",""min_memory_mb"":128,""serial_work_s"":1,""parallel_work_s"":0,""threads"":1,""input_bytes"":0,""output_bytes"":0,""init_s"":0}],""steps"":[{""name"":""s"",""task"":""f""}]}"`
	f.Add([]byte(hdr + "d,3,1,1,1,10," + wf + "\n"))
	f.Add([]byte(hdr + "d,3,1,1,1,," + wf + "\nd,1,1,1,1,0," + wf + "\n")) // a DAG twice
	f.Add([]byte(hdr + "d,3,1,1,1,10,{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "t-catalog.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		entries, err := ReadCatalog(path)
		if err != nil {
			if !strings.Contains(err.Error(), "t-catalog.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range entries {
			if err := e.Workflow.Validate(); err != nil {
				t.Fatalf("DAG %s: an invalid workflow was read: %v", e.DAG, err)
			}
		}
	})
}
