// What a kubelet's pod workers share on one node: the API (in-process), the lab clock, the node's image
// store and KEP-2535 pull manager, the image and crash-loop back-offs, and container logs.
// The per-node state is one object so a lab reset can swap it for an empty one in a single step.
import { Backoff } from '../../k8s/backoff.js';
import { ImageManagerState } from '../../k8s/image-pull-decision.js';
import { newImagePullCredentialVerificationPolicy, PullManager, type ImagePullCredentialsVerificationPolicy } from '../../k8s/pull-manager.js';
import type { ObjectStore } from '../apiserver/store.js';
import type { LabClock } from '../clock.js';
import type { EventRecorder } from '../event-recorder.js';
import { ContainerLogStore } from '../node/container-logs.js';
import { NodeFilesystem } from '../node/host-fs.js';
import { ImageStore } from '../node/image-store.js';
import { RootfsCache } from '../node/rootfs.js';

/** kubelet settings the lab's profiles choose (KubeletConfiguration + feature gate). */
export interface KubeletSettings {
  /** Feature gate KubeletEnsureSecretPulledImages. */
  ensureSecretPulledImages: boolean;
  imagePullCredentialsVerificationPolicy: ImagePullCredentialsVerificationPolicy;
}

// pkg/kubelet/kubelet.go: MaxContainerBackOff 300s, backOffPeriod 10s (crash loop back-off).
const containerBackOffInitialMs = 10_000;
const maxContainerBackOffMs = 300_000;

/** The node's runtime state: emptied by a lab reset, as if the node were re-provisioned. */
export class NodeState {
  readonly images = new ImageStore();
  readonly rootfs: RootfsCache;
  readonly logs: ContainerLogStore;
  readonly pullManager: PullManager;
  readonly imageState: ImageManagerState;
  readonly crashBackoff: Backoff;
  /** The node's own filesystem behind hostPath volumes, with the image store laid out as containerd's. */
  readonly hostFs: NodeFilesystem;

  constructor(clock: LabClock, settings: KubeletSettings, nodeName = 'node') {
    const now = (): number => clock.now();
    this.rootfs = new RootfsCache(this.images);
    this.hostFs = new NodeFilesystem(this.images, nodeName);
    this.logs = new ContainerLogStore({ clock });
    this.pullManager = new PullManager(newImagePullCredentialVerificationPolicy(settings.imagePullCredentialsVerificationPolicy), now);
    this.imageState = new ImageManagerState(new Backoff(now));
    this.crashBackoff = new Backoff(now, containerBackOffInitialMs, maxContainerBackOffMs);
  }
}

export interface NodeContext {
  readonly name: string;
  readonly hostIP: string;
  /** Pod IPs come from this node's range (as a CNI would hand them out). */
  allocatePodIP(): string;
  readonly api: ObjectStore;
  readonly clock: LabClock;
  readonly recorder: EventRecorder;
  readonly settings: KubeletSettings;
  state(): NodeState;
  /** Called after the image store changed (a pull), so the Node's status.images can follow. */
  imagesChanged(): void;
}
