# The provider block every configuration shares (the test copies this file
# into each configuration's directory): every service at the test server.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0.0, < 7.0.0" }
  }
}

variable "endpoint" { type = string }

# Made by the test for each run: a self-signed certificate and its key, an
# SSH public key, and a SAML identity provider's metadata.
variable "cert_pem" { type = string }
variable "key_pem" {
  type      = string
  sensitive = true
}
variable "ssh_public_key" { type = string }
variable "saml_metadata" { type = string }

provider "aws" {
  region                  = "us-east-1"
  skip_metadata_api_check = true
  skip_region_validation  = true
  endpoints {
    iam            = var.endpoint
    sts            = var.endpoint
    organizations  = var.endpoint
    s3             = var.endpoint
    accessanalyzer = var.endpoint
  }
  s3_use_path_style = true
}

data "aws_caller_identity" "me" {}
