// Package notifications sets up the notification service, its email worker and its webhook.
package notifications

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the notifications suite runs.
const Namespace = "notifications-e2e"

// SetupNotificationsInfrastructure builds and deploys the notification services.
func SetupNotificationsInfrastructure(ctx context.Context, w io.Writer) error {
	if err := infrastructure.CreateNamespace(ctx, Namespace, w); err != nil {
		return err
	}

	notificationsImage := infrastructure.GenerateImageName("notifications")
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ // want IMG001 "discarded"
		ServiceName: "notifications",
		Dockerfile:  "services/notifications/Dockerfile",
	}, w); err != nil {
		return fmt.Errorf("build notifications: %w", err)
	}
	if err := deployNotifications(ctx, notificationsImage, w); err != nil {
		return err
	}

	var err error
	_, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ // want IMG001 "discarded .*must repeat `localhost/shop-email-worker:latest` by hand"
		ServiceName: "email-worker",
		ImageName:   "localhost/shop-email-worker:latest",
		Dockerfile:  "services/email-worker/Dockerfile",
	}, w)
	if err != nil {
		return err
	}
	if err := infrastructure.KubectlApply(ctx, Namespace, emailWorkerManifest, w); err != nil {
		return err
	}

	webhookImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
		ServiceName: "webhook",
		Dockerfile:  "services/webhook/Dockerfile",
	}, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "built %s\n", webhookImage)
	if err := deployWebhook(ctx, w); err != nil {
		return err
	}

	if err := infrastructure.KubectlApply(ctx, Namespace, smsGatewayManifest, w); err != nil {
		return err
	}
	return nil
}

func deployNotifications(ctx context.Context, image string, w io.Writer) error {
	return infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "notifications", Image: image, Port: 8080}, w)
}

// deployWebhook deploys the webhook with its own container spec (it needs a TLS volume later).
func deployWebhook(ctx context.Context, w io.Writer) error {
	containers := []corev1.Container{{
		Name:            "webhook",
		Image:           "localhost/shop-webhook:e2e", // want IMG002 "`localhost/shop-webhook:e2e` .*the build at .*notifications_infrastructure.go:47 .* names only the repository `localhost/shop-webhook`, so the builder chooses the tag"
		ImagePullPolicy: corev1.PullNever,
	}}
	return infrastructure.ApplyObject(ctx, Namespace, corev1.PodSpec{Containers: containers}, w)
}

const emailWorkerManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: email-worker
spec:
  selector:
    matchLabels:
      app: email-worker
  template:
    metadata:
      labels:
        app: email-worker
    spec:
      containers:
      - name: worker
        image: localhost/shop-email-worker:latest
        imagePullPolicy: Never
`

// The SMS gateway is built by the notifications builds under localhost/shop-sms-gateway.
const smsGatewayManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sms-gateway
spec:
  selector:
    matchLabels:
      app: sms-gateway
  template:
    metadata:
      labels:
        app: sms-gateway
    spec:
      containers:
      - name: gateway
        image: shop-notifications:e2e # want IMG002 "shop-notifications:e2e.*the build at .*notifications_infrastructure.go:24 .* names only the repository .localhost/shop-notifications., so the builder chooses the tag, and this reference lacks the .localhost/. prefix"
`
