public enum ControlPlaneModule {}
