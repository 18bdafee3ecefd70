package search

import (
	"encoding/binary"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
)

// A saved index keeps its message templates' keys, so opening one does
// not key every message again, and they are the keys the built index has.
func TestSavedTemplateKeys(t *testing.T) {
	es := corpustest.RealEntries(t)
	dir := filepath.Join(t.TempDir(), "index")
	if err := Save(es, dir); err != nil {
		t.Fatal(err)
	}
	meta, err := readMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.TemplateKeys) == 0 || len(meta.TemplateKeys)/8 != len(meta.TemplateDocs)/4 {
		t.Fatalf("the saved meta holds %d bytes of keys and %d of entries", len(meta.TemplateKeys), len(meta.TemplateDocs))
	}
	opened, err := OpenSaved(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	built := build(t, es)
	if len(built.templates.keys) < 1000 {
		t.Fatalf("the real catalogue keys only %d templates", len(built.templates.keys))
	}
	if !reflect.DeepEqual(opened.templates, built.templates) || !reflect.DeepEqual(opened.templates, opened.indexTemplates()) {
		t.Error("the opened index's template keys differ from the built index's, or from keying its templates again")
	}
}

// Keys that do not hold together are not used: the index keys its
// templates again instead.
func TestSavedTemplatesRefusesBadKeys(t *testing.T) {
	keys := func(ks ...uint64) []byte {
		var b []byte
		for _, k := range ks {
			b = binary.LittleEndian.AppendUint64(b, k)
		}
		return b
	}
	docs := func(ds ...int32) []byte { return packUint(ds) }
	for name, meta := range map[string]savedMeta{
		"none":          {},
		"odd bytes":     {TemplateKeys: keys(1)[:7], TemplateDocs: docs(0)},
		"fewer docs":    {TemplateKeys: keys(1, 2), TemplateDocs: docs(0)},
		"doc too large": {TemplateKeys: keys(1, 2), TemplateDocs: docs(0, 10)},
		"negative doc":  {TemplateKeys: keys(1, 2), TemplateDocs: docs(0, -1)},
		"unsorted keys": {TemplateKeys: keys(2, 1), TemplateDocs: docs(0, 1)},
	} {
		if got := savedTemplates(&meta, 10); got.keys != nil {
			t.Errorf("%s: used %d keys", name, len(got.keys))
		}
	}
	good := savedMeta{TemplateKeys: keys(1, 1, 5), TemplateDocs: docs(0, 3, 9)}
	if got := savedTemplates(&good, 10); !reflect.DeepEqual(got, templateIndex{keys: []uint64{1, 1, 5}, docs: []int32{0, 3, 9}}) {
		t.Errorf("good keys read as %+v", got)
	}
}
