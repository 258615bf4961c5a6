// One embedded worker node: its Node object (labels, Ready condition, capacity, the images it holds),
// its runtime state (image store, KEP-2535 pull records, back-offs, logs) and its kubelet.
// Node status fields follow what a kubelet reports (pkg/kubelet/nodestatus/setters.go).
import { findResource } from './apiserver/resources.js';
import type { ObjectStore } from './apiserver/store.js';
import type { LabClock } from './clock.js';
import { EventRecorder, metaTime } from './event-recorder.js';
import { Kubelet } from './kubelet/kubelet.js';
import { NodeState, type KubeletSettings, type NodeContext } from './kubelet/node-context.js';
import type { ImageContent } from './node/image-store.js';

const nodesResource = findResource('', 'v1', 'nodes')!;

/** The kubelet version the lab models (the API server reports the same release). */
export const kubeletVersion = 'v1.36.3';
const arch = process.arch === 'x64' ? 'amd64' : process.arch;

export interface EmbeddedNodeOptions {
  name: string;
  /** 0-based position: picks the node's IP and pod range. */
  index: number;
  api: ObjectStore;
  clock: LabClock;
  settings: KubeletSettings;
}

export class EmbeddedNode implements NodeContext {
  readonly name: string;
  readonly hostIP: string;
  readonly api: ObjectStore;
  readonly clock: LabClock;
  readonly settings: KubeletSettings;
  readonly recorder: EventRecorder;
  readonly kubelet: Kubelet;
  #state: NodeState;
  #nextPodIP = 2;
  readonly #index: number;

  constructor(options: EmbeddedNodeOptions) {
    this.name = options.name;
    this.#index = options.index;
    // kind's docker network hands out 172.18.0.x; the lab's nodes are not on any network, so the addresses are labels.
    this.hostIP = `172.18.0.${options.index + 2}`;
    this.api = options.api;
    this.clock = options.clock;
    this.settings = options.settings;
    this.recorder = new EventRecorder(options.api, { component: 'kubelet', host: options.name });
    this.#state = new NodeState(options.clock, options.settings, options.name);
    this.kubelet = new Kubelet(this);
  }

  state(): NodeState {
    return this.#state;
  }

  allocatePodIP(): string {
    const n = this.#nextPodIP++;
    return `10.244.${this.#index + 1}.${(n % 254) + 1}`;
  }

  /** Registers the Node object (registerWithAPIServer) and starts the kubelet's pod watch. */
  register(): void {
    const now = metaTime();
    const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });
    const resources = { cpu: '4', 'ephemeral-storage': '10Gi', memory: '4Gi', pods: '110' };
    this.api.create(nodesResource, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.name,
        labels: {
          'beta.kubernetes.io/arch': arch,
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': arch,
          'kubernetes.io/hostname': this.name,
          'kubernetes.io/os': 'linux',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: { podCIDR: `10.244.${this.#index + 1}.0/24`, podCIDRs: [`10.244.${this.#index + 1}.0/24`] },
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [
          { type: 'InternalIP', address: this.hostIP },
          { type: 'Hostname', address: this.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: '',
          systemUUID: '',
          bootID: '',
          kernelVersion: '',
          osImage: 'image-heist embedded node',
          containerRuntimeVersion: 'image-heist://embedded',
          kubeletVersion,
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: arch,
        },
        images: [],
      },
    });
    this.kubelet.start();
  }

  /** status.images as the kubelet reports them (nodestatus.Images): names and sizes of cached images. */
  imagesChanged(): void {
    this.#state.hostFs.sync();
    const images = this.#state.images.listImages().map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }));
    try {
      this.api.mutate(nodesResource, undefined, this.name, (node) => {
        (node['status'] as Record<string, unknown>)['images'] = images;
      });
    } catch {
      // the node object is gone (lab stopping)
    }
  }

  /** Puts an image in the node's store outside the kubelet (`kind load`, `crictl pull`): no pull record. */
  preload(reference: string, content: ImageContent): void {
    this.#state.images.addImage(reference, content);
    this.imagesChanged();
  }

  /** `crictl rmi`: removes the image and every reference to it; pull records stay, as on a real node. */
  removeImage(reference: string): boolean {
    const removed = this.#state.images.removeImage(reference);
    if (removed) this.#state.rootfs.evict(removed.id);
    this.imagesChanged();
    return removed !== undefined;
  }

  /** Image references cached on this node: the tags, or the repo digest of an image held by digest only. */
  imageReferences(): string[] {
    return this.#state.images.listImages().flatMap((i) => (i.repoTags.length > 0 ? i.repoTags : i.repoDigests));
  }

  /** Back to a fresh node: pods stopped, empty image store, no pull records, no back-offs, no logs. */
  async reset(): Promise<void> {
    await this.kubelet.stopPods();
    this.#state = new NodeState(this.clock, this.settings, this.name);
    this.recorder.clear();
    this.imagesChanged();
  }

  async stop(): Promise<void> {
    await this.kubelet.stopPods({ unwatch: true });
  }
}
