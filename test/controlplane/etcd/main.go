// Command etcd is the upstream etcd server, built from the Go module proxy so the
// test suite needs no downloaded release tarball; it mirrors etcd's own server/main.go.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
