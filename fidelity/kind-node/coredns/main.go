// CoreDNS with only the plugins kubeadm's Corefile names (k8s.io/kubernetes
// cmd/kubeadm/app/phases/addons/dns/manifests.go, CoreDNSConfigMap): errors, health, ready, kubernetes,
// prometheus (plugin/metrics), forward, cache, loop, reload, loadbalance. Plugin order comes from CoreDNS's
// own directive list (core/dnsserver/zdirectives.go), so importing a subset is all a custom build needs.
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() { coremain.Run() }
