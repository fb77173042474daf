package store

import (
	"context"
	"testing"
)

// The checkpointer copies committed transactions from the log into the database
// file without the writer's help, and stops with the database.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO t (k, v) VALUES (?, ?)", i, "value")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	frames, done, err := db.ckpt.checkpoint(ctx)
	if err != nil || frames == 0 || done != frames {
		t.Fatalf("checkpoint: %d of %d frames, %v", done, frames, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ckpt.checkpoint(ctx); err == nil {
		t.Fatal("the checkpointer still runs after Close")
	}
}
