// Package disk is the embedded objectstore.Backend: object bytes in files on
// local disk, their index in a bbolt database beside them. It is the default
// backend, so a fresh `gatehouse serve` has working S3 with nothing else to
// run.
//
// # On-disk layout
//
//	dir/
//	  index.db          bbolt: the index (below); opened with a lock timeout,
//	                    so a second process fails instead of hanging
//	  tmp/              files being written; swept at Open
//	  data/ab/ab12…     blobs: one file per object body or uploaded part,
//	                    named by a random id (never by key: keys may hold
//	                    anything), fanned out by the id's first two letters
//
// The index (bbolt buckets nest; keys sort as bytes):
//
//	buckets/<bucket>/
//	  versioning        "", "Enabled" or "Suspended"
//	  cur/<key>         the key's current version (a JSON record), absent
//	                    when the newest version is a delete marker: List is
//	                    a cursor seek over it, never a scan of the bucket
//	  ver/<key>/<^seq>  every version and delete marker of the key, newest
//	                    first (seq is the bucket's sequence, inverted)
//	  up/<key>/<uploadID>/
//	    i               the upload (initiated, metadata)
//	    p<partnumber>   each part (4-byte big-endian number): size, ETag,
//	                    checksum, blob
//
// Records are JSON. A version's record holds its size, ETag, LastModified,
// Meta, delete-marker flag and blobs: one for a PUT or copy, one per part
// (with the part's number, size and checksum) for a multipart object.
//
// An upload id starts with the bucket's sequence in hex, so a key's uploads
// sort by initiation.
//
// # Writes
//
// A body is streamed to a temp file while its MD5 is computed (a fixed
// buffer: memory stays bounded whatever the size), fsynced, renamed into
// data/ (and the directory fsynced), and only then the index is committed.
// A crash before the commit leaves an orphan blob, which is harmless (and
// invisible; SweepOrphans removes it); a failed body read removes the temp
// file. A delete or replacement commits the index first, then removes the
// blobs; a blob that a reader still holds is removed when the reader
// closes, so a GET never sees its object vanish mid-stream.
//
// CompleteMultipartUpload does not concatenate: the object's record keeps the
// list of its parts' blobs (a manifest) and reads run across them, so a
// 1 GiB upload is written once, not twice. Ranges are io.SectionReaders over
// the blobs they cover.
package disk
