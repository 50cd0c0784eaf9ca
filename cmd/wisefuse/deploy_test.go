package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The sharded-replay recipes in deploy/ (docs/replay.md) are checked here: their syntax, that
// their shard counts agree, and that the command each runs works, by running it for every shard
// on a small trace with the paths and indices filled in, then merging the shards.

// shardArgs returns the arguments of the `wisefuse trace replay` command in line, with vars
// expanded.
func shardArgs(t *testing.T, line string, vars map[string]string) []string {
	t.Helper()
	i := strings.Index(line, "wisefuse trace replay")
	if i < 0 {
		t.Fatalf("no 'wisefuse trace replay' in %q", line)
	}
	expanded := os.Expand(strings.ReplaceAll(line[i+len("wisefuse "):], `"`, ""), func(k string) string {
		k, def, _ := strings.Cut(k, ":-")
		if v, ok := vars[k]; ok {
			return v
		}
		return def
	})
	return strings.Fields(expanded)
}

func replayShardsAndMerge(t *testing.T, name string, n int, argsOf func(shard int, dir string) []string) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.parquet")
	if code, _, errOut := runCLI("trace", "gen", "--dags", "12", "--invocations", "600", "--runs-per-dag", "4", "--quiet", "--out", trace); code != 0 {
		t.Fatalf("trace gen: %s", errOut)
	}
	var outs []string
	for i := range n {
		args := argsOf(i, dir)
		if code, _, errOut := runCLI(args...); code != 0 {
			t.Fatalf("%s, shard %d: wisefuse %s: exit %d: %s", name, i, strings.Join(args, " "), code, errOut)
		}
		for j, a := range args {
			if a == "--out" {
				outs = append(outs, args[j+1])
			}
		}
	}
	if len(outs) != n {
		t.Fatalf("%s: %d --out folders for %d shards", name, len(outs), n)
	}
	merged := filepath.Join(dir, "merged")
	code, out, errOut := runCLI(append([]string{"trace", "merge", "--json", "--out", merged}, outs...)...)
	if code != 0 {
		t.Fatalf("%s: merge: exit %d: %s", name, code, errOut)
	}
	var s struct {
		DAGInvocations int64 `json:"dag_invocations"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.DAGInvocations != 600 {
		t.Errorf("%s: merged %d DAG invocations (%v), want 600", name, s.DAGInvocations, err)
	}
}

func TestKubernetesIndexedJob(t *testing.T) {
	b, err := os.ReadFile("../../deploy/replay-indexed-job.json")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			CompletionMode string `json:"completionMode"`
			Completions    int    `json:"completions"`
			Parallelism    int    `json:"parallelism"`
			Template       struct {
				Spec struct {
					RestartPolicy string `json:"restartPolicy"`
					Containers    []struct {
						Command []string `json:"command"`
						Args    []string `json:"args"`
					} `json:"containers"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&job); err != nil {
		t.Fatalf("replay-indexed-job.json: %v", err)
	}
	sp := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || sp.CompletionMode != "Indexed" || sp.Completions < 1 ||
		sp.Template.Spec.RestartPolicy != "Never" || len(sp.Template.Spec.Containers) != 1 {
		t.Fatalf("not an Indexed batch/v1 Job with one container: %+v", job)
	}
	line := strings.Join(sp.Template.Spec.Containers[0].Args, " ")
	if !strings.Contains(line, fmt.Sprintf("--shard ${JOB_COMPLETION_INDEX}/%d", sp.Completions)) {
		t.Errorf("args %q: want --shard ${JOB_COMPLETION_INDEX}/%d (one shard per completion index)", line, sp.Completions)
	}
	replayShardsAndMerge(t, "kubernetes", sp.Completions, func(i int, dir string) []string {
		return shardArgs(t, strings.ReplaceAll(line, "/data", dir), map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)})
	})
}

func TestSlurmJobArray(t *testing.T) {
	const path = "../../deploy/replay-array.sbatch"
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n %s: %v\n%s", path, err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindStringSubmatch(src)
	k := regexp.MustCompile(`(?m)^SHARDS=(\d+)$`).FindStringSubmatch(src)
	if m == nil || k == nil {
		t.Fatalf("%s: want '#SBATCH --array=0-N' and 'SHARDS=N+1'", path)
	}
	last, _ := strconv.Atoi(m[1])
	shards, _ := strconv.Atoi(k[1])
	if last+1 != shards {
		t.Fatalf("%s: --array=0-%d runs %d tasks for %d shards", path, last, last+1, shards)
	}
	// The header's merge, which a user copies, must read the shard folders the array writes.
	outDir := regexp.MustCompile(`(?m)^OUT=\$\{OUT:-([^}]+)\}$`).FindStringSubmatch(src)
	merge := regexp.MustCompile(`(?m)^#.*wisefuse trace merge ([^"\n]*)`).FindStringSubmatch(src)
	if outDir == nil || merge == nil {
		t.Fatalf("%s: want 'OUT=${OUT:-DIR}' and a 'wisefuse trace merge' command in the header", path)
	}
	if want := outDir[1] + "/shard-*"; !slices.Contains(strings.Fields(merge[1]), want) {
		t.Errorf("%s: the header's merge %q does not read %s, the shard folders the array writes", path, merge[1], want)
	}
	var cmd string
	for _, l := range strings.Split(src, "\n") {
		if strings.Contains(l, "wisefuse trace replay") && !strings.HasPrefix(l, "#") {
			cmd = l
		}
	}
	cmd = strings.TrimSuffix(strings.TrimSpace(cmd), `\`)
	for _, l := range strings.Split(src[strings.Index(src, cmd)+len(cmd):], "\n")[1:] {
		cmd += " " + strings.TrimSuffix(strings.TrimSpace(l), `\`)
		if !strings.HasSuffix(strings.TrimSpace(l), `\`) {
			break
		}
	}
	replayShardsAndMerge(t, "slurm", shards, func(i int, dir string) []string {
		return shardArgs(t, cmd, map[string]string{"TRACE": filepath.Join(dir, "trace.parquet"), "SLURM_ARRAY_TASK_ID": strconv.Itoa(i),
			"SHARDS": strconv.Itoa(shards), "POLICY": "user-max", "OUT": filepath.Join(dir, "replay")})
	})
}
