package infrastructure

import (
	"context"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// ServiceDeployment describes a service the suites deploy as a one-container Deployment.
type ServiceDeployment struct {
	Name     string
	Image    string
	Port     int32
	Env      map[string]string
	Replicas int32
}

// DeployService applies the Deployment of a service.
func DeployService(ctx context.Context, namespace string, svc ServiceDeployment, w io.Writer) error {
	replicas := svc.Replicas
	if replicas == 0 {
		replicas = 1
	}
	container := corev1.Container{
		Name:            svc.Name,
		Image:           svc.Image,
		ImagePullPolicy: corev1.PullNever,
		Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: svc.Port}},
	}
	for name, value := range svc.Env {
		container.Env = append(container.Env, corev1.EnvVar{Name: name, Value: value})
	}
	deployment := appsv1.Deployment{
		APIVersion: "apps/v1",
		Kind:       "Deployment",
		ObjectMeta: corev1.ObjectMeta{Name: svc.Name, Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &appsv1.LabelSelector{MatchLabels: map[string]string{"app": svc.Name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: corev1.ObjectMeta{Labels: map[string]string{"app": svc.Name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{container}},
			},
		},
	}
	return ApplyObject(ctx, namespace, deployment, w)
}

// DeployPostgres runs the shared database from the public image.
func DeployPostgres(ctx context.Context, namespace string, w io.Writer) error {
	deployment := appsv1.Deployment{
		APIVersion: "apps/v1",
		Kind:       "Deployment",
		ObjectMeta: corev1.ObjectMeta{Name: "postgres", Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Selector: &appsv1.LabelSelector{MatchLabels: map[string]string{"app": "postgres"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: corev1.ObjectMeta{Labels: map[string]string{"app": "postgres"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "postgres",
					Image: "docker.io/library/postgres:16-alpine",
					Env:   []corev1.EnvVar{{Name: "POSTGRES_PASSWORD", Value: "shop"}},
				}}},
			},
		},
	}
	if err := ApplyObject(ctx, namespace, deployment, w); err != nil {
		return fmt.Errorf("deploy postgres: %w", err)
	}
	return nil
}
