// Package v1 is a trimmed stand-in for k8s.io/api/apps/v1.
package v1

import corev1 "k8s.io/api/core/v1"

// LabelSelector selects pods by label (metav1.LabelSelector upstream).
type LabelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// DeploymentSpec is the desired state of a Deployment.
type DeploymentSpec struct {
	Replicas *int32                 `json:"replicas,omitempty"`
	Selector *LabelSelector         `json:"selector"`
	Template corev1.PodTemplateSpec `json:"template"`
}

// Deployment runs replicas of a pod template.
type Deployment struct {
	APIVersion        string `json:"apiVersion"`
	Kind              string `json:"kind"`
	corev1.ObjectMeta `json:"metadata"`
	Spec              DeploymentSpec `json:"spec"`
}
