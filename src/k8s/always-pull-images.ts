// The AlwaysPullImages admission plugin (plugin/pkg/admission/alwayspullimages/admission.go):
// Admit forces every container and image volume of a new pod to imagePullPolicy Always; Validate rejects any other value.
import { Aggregate, FieldError, StatusError, aggregate, fieldNotSupported, newBadRequest, newForbidden, toStatusError } from './api-errors.js';
import { asPod, mapContainers, mapImageVolumes, podImages, visitContainersWithPath, type Pod } from './pod.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** admission.Attributes, as JSON objects. `group` is "" for the core group. */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  group: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
  kind: string;
  object: unknown;
  oldObject?: unknown;
}

export const PluginName = 'AlwaysPullImages';

// admission.go: `apierrors.NewBadRequest(...)` when the object is not an *api.Pod.
const notAPodMessage = 'Resource was marked with kind Pod but was unable to be converted';

/** isUpdateWithNoNewImages (admission.go, PR #96668): an UPDATE whose image strings all appear in the old pod. */
function isUpdateWithNoNewImages(a: AdmissionAttributes): boolean {
  if (a.operation !== 'UPDATE') return false;
  const pod = asPod(a.object);
  const oldPod = asPod(a.oldObject);
  // upstream logs a warning and answers false when either is not a pod
  if (!pod || !oldPod) return false;
  const oldImages = new Set(podImages(oldPod.spec));
  return podImages(pod.spec).every((image) => oldImages.has(image));
}

/** shouldIgnore (admission.go): subresources, resources other than core pods, and updates without new images. */
export function shouldIgnore(a: AdmissionAttributes): boolean {
  if (a.subresource.length !== 0 || a.group !== '' || a.resource !== 'pods') return true;
  return isUpdateWithNoNewImages(a);
}

/**
 * extractResourceName (k8s.io/apiserver pkg/admission/errors.go): the request name, else metadata.name,
 * else metadata.generateName, else "Unknown".
 */
function extractResourceName(a: AdmissionAttributes, pod: Pod): string {
  if (a.name.length > 0) return a.name;
  const meta = pod.metadata;
  if (meta?.name) return meta.name;
  if (meta?.generateName) return meta.generateName;
  return 'Unknown';
}

/** admission.NewForbidden (k8s.io/apiserver pkg/admission/errors.go): `pods "<name>" is forbidden: <err>`. */
function admissionForbidden(a: AdmissionAttributes, pod: Pod, err: FieldError): StatusError {
  return newForbidden({ group: a.group, resource: a.resource }, extractResourceName(a, pod), err);
}

/** Admit: a new pod object with every policy set to Always. Throws StatusError (400) when the object is not a pod. */
function admit(a: AdmissionAttributes): unknown {
  if (shouldIgnore(a)) return a.object;
  const pod = asPod(a.object);
  if (!pod) throw newBadRequest(notAPodMessage);
  const forced = mapContainers(pod, (c) => ({ ...c, imagePullPolicy: 'Always' }));
  // image volumes (KEP-4639) get the same treatment (admission_test.go TestAdmission, image-volume era)
  return mapImageVolumes(forced, (img) => ({ ...img, pullPolicy: 'Always' }));
}

/** The individual Forbidden errors Validate would aggregate, in upstream's order (containers, then image volumes). */
export function validationErrors(a: AdmissionAttributes): StatusError[] {
  if (shouldIgnore(a)) return [];
  const pod = asPod(a.object);
  if (!pod) return [newBadRequest(notAPodMessage)];
  const errs: StatusError[] = [];
  visitContainersWithPath(pod.spec, (c, path) => {
    if (c.imagePullPolicy !== 'Always') {
      errs.push(admissionForbidden(a, pod, fieldNotSupported(`${path}.imagePullPolicy`, c.imagePullPolicy ?? '', ['Always'])));
    }
    return true;
  });
  (pod.spec?.volumes ?? []).forEach((v, i) => {
    if (v.image && v.image.pullPolicy !== 'Always') {
      const path = `spec.volumes[${i}].image.pullPolicy`;
      errs.push(admissionForbidden(a, pod, fieldNotSupported(path, v.image.pullPolicy ?? '', ['Always'])));
    }
  });
  return errs;
}

/**
 * Validate: undefined when allowed. Otherwise BadRequest (400) for a non-pod, or the utilerrors aggregate of the
 * Forbidden errors. The aggregate is not a StatusError, so the API server's ErrorToAPIStatus
 * (k8s.io/apiserver …/responsewriters/status.go) answers 500 with an empty reason and the aggregate text, not 403
 * (research §1.4: inferred from code; no upstream test pins the code). The `.cause` keeps the Aggregate.
 */
function validate(a: AdmissionAttributes): StatusError | undefined {
  const errs = validationErrors(a);
  const first = errs[0];
  if (errs.length === 1 && first && first.code === 400) return first;
  const agg: Aggregate | undefined = aggregate(errs);
  if (!agg) return undefined;
  const status = toStatusError(agg);
  (status as Error).cause = agg;
  return status;
}

/** admission.NewHandler(admission.Create, admission.Update) */
function handles(op: AdmissionOperation): boolean {
  return op === 'CREATE' || op === 'UPDATE';
}

export const alwaysPullImages: {
  readonly name: typeof PluginName;
  handles(op: AdmissionOperation): boolean;
  admit(a: AdmissionAttributes): unknown;
  validate(a: AdmissionAttributes): StatusError | undefined;
} = { name: PluginName, handles, admit, validate };
