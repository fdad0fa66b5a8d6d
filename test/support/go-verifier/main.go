// A verifier of workgate's checkpoints and proofs that uses only Go's own signed-note and
// transparency-log code (golang.org/x/mod/sumdb/note and tlog): one JSON request on stdin, one
// JSON answer on stdout. Built in GOPATH mode against Debian's golang-golang-x-mod-dev.
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// leaf is one record of a proof package: its index, its data (a chain hash, hex) and its inclusion proof.
type leaf struct {
	LeafIndex int64    `json:"leafIndex"`
	Leaf      string   `json:"leaf"`
	Inclusion []string `json:"inclusion"`
}

type request struct {
	VerifierKey string   `json:"verifierKey"`
	Note        string   `json:"note"`
	LeafIndex   *int64   `json:"leafIndex"`
	Leaf        string   `json:"leaf"`
	Inclusion   []string `json:"inclusion"`
	OldNote     string   `json:"oldNote"`
	Consistency []string `json:"consistency"`
	// A proof package's records, all against Note; its definition text and the policy sha256 (hex) each decision names.
	Leaves     []leaf   `json:"leaves"`
	Definition *string  `json:"definition"`
	Policies   []string `json:"policies"`
}

type answer struct {
	Ok     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Origin string `json:"origin,omitempty"`
	Size   int64  `json:"size"`
	// How many records of Leaves were checked.
	Checked int `json:"checked,omitempty"`
}

// checkpoint opens a signed note and reads the C2SP tlog checkpoint it carries.
func checkpoint(verifiers note.Verifiers, msg string) (string, int64, tlog.Hash, error) {
	n, err := note.Open([]byte(msg), verifiers)
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return "", 0, tlog.Hash{}, fmt.Errorf("not a checkpoint: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	return lines[0], size, root, nil
}

func hashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not 32 bytes of base64", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func run(r request) answer {
	v, err := note.NewVerifier(r.VerifierKey)
	if err != nil {
		return answer{Error: err.Error()}
	}
	verifiers := note.VerifierList(v)
	origin, size, root, err := checkpoint(verifiers, r.Note)
	if err != nil {
		return answer{Error: err.Error()}
	}
	if r.LeafIndex != nil {
		leaf, err := hex.DecodeString(r.Leaf)
		if err != nil {
			return answer{Error: err.Error()}
		}
		proof, err := hashes(r.Inclusion)
		if err != nil {
			return answer{Error: err.Error()}
		}
		if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, *r.LeafIndex, tlog.RecordHash(leaf)); err != nil {
			return answer{Error: err.Error(), Origin: origin, Size: size}
		}
	}
	for i, l := range r.Leaves {
		data, err := hex.DecodeString(l.Leaf)
		if err != nil {
			return answer{Error: fmt.Sprintf("leaf %d: %v", i, err)}
		}
		proof, err := hashes(l.Inclusion)
		if err != nil {
			return answer{Error: fmt.Sprintf("leaf %d: %v", i, err)}
		}
		if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, l.LeafIndex, tlog.RecordHash(data)); err != nil {
			return answer{Error: fmt.Sprintf("leaf %d (index %d): %v", i, l.LeafIndex, err), Origin: origin, Size: size}
		}
	}
	if r.Definition != nil {
		sum := sha256.Sum256([]byte(*r.Definition))
		for _, p := range r.Policies {
			if hex.EncodeToString(sum[:]) != p {
				return answer{Error: fmt.Sprintf("the definition's sha256 %x is not the policy %s", sum, p), Origin: origin, Size: size}
			}
		}
	}
	if r.OldNote != "" {
		_, oldSize, oldRoot, err := checkpoint(verifiers, r.OldNote)
		if err != nil {
			return answer{Error: err.Error()}
		}
		proof, err := hashes(r.Consistency)
		if err != nil {
			return answer{Error: err.Error()}
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), size, root, oldSize, oldRoot); err != nil {
			return answer{Error: err.Error(), Origin: origin, Size: size}
		}
	}
	return answer{Ok: true, Origin: origin, Size: size, Checked: len(r.Leaves)}
}

func main() {
	var r request
	if err := json.NewDecoder(os.Stdin).Decode(&r); err != nil {
		json.NewEncoder(os.Stdout).Encode(answer{Error: err.Error()})
		return
	}
	json.NewEncoder(os.Stdout).Encode(run(r))
}
