// Package v1 is a trimmed stand-in for k8s.io/api/core/v1: the fields the suite sets.
package v1

// PullPolicy describes when the kubelet pulls an image.
type PullPolicy string

// Pull policies.
const (
	PullAlways       PullPolicy = "Always"
	PullNever        PullPolicy = "Never"
	PullIfNotPresent PullPolicy = "IfNotPresent"
)

// ObjectMeta is the metadata every object has (metav1.ObjectMeta upstream).
type ObjectMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// EnvVar is an environment variable of a container.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// ContainerPort is a port a container exposes.
type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
}

// Container is one container of a pod.
type Container struct {
	Name            string          `json:"name"`
	Image           string          `json:"image,omitempty"`
	ImagePullPolicy PullPolicy      `json:"imagePullPolicy,omitempty"`
	Command         []string        `json:"command,omitempty"`
	Args            []string        `json:"args,omitempty"`
	Env             []EnvVar        `json:"env,omitempty"`
	Ports           []ContainerPort `json:"ports,omitempty"`
}

// EphemeralContainerCommon holds the fields of an ephemeral container.
type EphemeralContainerCommon struct {
	Name  string `json:"name"`
	Image string `json:"image,omitempty"`
}

// EphemeralContainer is a debugging container added to a running pod.
type EphemeralContainer struct {
	EphemeralContainerCommon `json:",inline"`
	TargetContainerName      string `json:"targetContainerName,omitempty"`
}

// PodSpec describes a pod.
type PodSpec struct {
	InitContainers      []Container          `json:"initContainers,omitempty"`
	Containers          []Container          `json:"containers"`
	EphemeralContainers []EphemeralContainer `json:"ephemeralContainers,omitempty"`
	ServiceAccountName  string               `json:"serviceAccountName,omitempty"`
}

// PodTemplateSpec is the template of the pods a controller creates.
type PodTemplateSpec struct {
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PodSpec `json:"spec,omitempty"`
}
