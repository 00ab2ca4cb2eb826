// The etcd server binary: etcd's own main is one call, in a module (go.etcd.io/etcd/v3) whose go.mod
// replaces its sibling modules with local paths, so the build module requires go.etcd.io/etcd/server/v3
// and calls the same entry point from here.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
