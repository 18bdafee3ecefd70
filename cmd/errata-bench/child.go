package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Memory and build time are measured in a child process of this same binary,
// one engine per process, so that the RSS of one engine never includes the
// other's or the parent's corpus and queries.

const childEnv = "ERRATA_BENCH_CHILD"

// childJob is what the parent asks of a child.
type childJob struct {
	Engine string     `json:"engine"` // "errata", "errata-save", "errata-open" or "fts5"
	Spec   corpusSpec `json:"spec"`
	Seed   int64      `json:"seed"`
	Dir    string     `json:"dir,omitempty"` // index saved ahead of time, by errata-save for errata-open
}

// childResult is what a child answers on stdout.
type childResult struct {
	Entries int      `json:"entries"`
	TookMS  float64  `json:"took_ms"` // build, or open of the prebuilt index
	Mem     memStats `json:"mem"`
	Err     string   `json:"err,omitempty"`
}

// runChild runs job in a child process and returns its result.
func runChild(job childJob) (childResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return childResult{}, err
	}
	spec, _ := json.Marshal(job)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var res childResult
	if jerr := json.Unmarshal(lastLine(out), &res); jerr != nil {
		return res, fmt.Errorf("child %s on %s: %v (output %q, exit %v)", job.Engine, job.Spec.Name, jerr, out, err)
	}
	if res.Err != "" {
		return res, fmt.Errorf("child %s on %s: %s", job.Engine, job.Spec.Name, res.Err)
	}
	return res, err
}

func lastLine(b []byte) []byte {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return []byte(lines[len(lines)-1])
}

// childMain is the child's whole life: build or open one engine, drop
// everything else, collect garbage, report.
func childMain(spec string) int {
	var job childJob
	res := childResult{}
	err := json.Unmarshal([]byte(spec), &job)
	if err == nil {
		res, err = doChild(job)
	}
	if err != nil {
		res.Err = err.Error()
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}

func doChild(job childJob) (childResult, error) {
	var res childResult
	if job.Engine == "errata-open" {
		ix, took, err := openErrata(job.Dir)
		if err != nil {
			return res, err
		}
		res.Entries = ix.Count()
		res.TookMS = ms(took)
		res.Mem = readMem()
		return res, ix.Close()
	}
	entries, err := loadCorpus(job.Spec, job.Seed)
	if err != nil {
		return res, err
	}
	res.Entries = len(entries)
	switch job.Engine {
	case "errata":
		ix, took, err := buildErrata(entries)
		if err != nil {
			return res, err
		}
		entries = nil // the index keeps what it needs
		res.TookMS = ms(took)
		res.Mem = readMem()
		return res, ix.Close()
	case "errata-save": // as errata index: its peak RSS is the build's
		took, err := saveErrata(entries, job.Dir)
		res.TookMS = ms(took)
		res.Mem = readMem()
		return res, err
	case "fts5":
		f, took, err := buildFTS(entries)
		if err != nil {
			return res, err
		}
		entries = nil // SQLite holds its own copy of the text
		res.TookMS = ms(took)
		res.Mem = readMem()
		return res, f.Close()
	}
	_ = entries
	return res, fmt.Errorf("unknown engine %q", job.Engine)
}
