//! Lambda's shapes as they travel: the HTTP events fc decodes, the Runtime API's header names,
//! and the events of other sources as `aws_lambda_events` defines them.
//!
//! The adapter reads these, and fc-local's emulator and event templates write them, so what
//! fc-local sends is what the adapter was built to read. The HTTP events are fc's own types:
//! they read only what fc carries (the rest of a request context is borrowed, not copied),
//! accept the nulls that real events hold, and write what AWS sends (aws_lambda_events' types
//! write fields AWS does not, such as `httpMethod` in an HTTP API event).

use std::borrow::Cow;
use std::collections::BTreeMap;

pub use fc_core::adapter::HttpDescription;
use fc_core::adapter::{grouped_pairs_or_null, method, method_name, pairs, pairs_or_null};
use fc_core::http::Method;
use serde::{Deserialize, Serialize};

pub use aws_lambda_events::alb::AlbTargetGroupResponse;
pub use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
pub use aws_lambda_events::dynamodb::{
    Event as DynamoDbEvent, EventRecord as DynamoDbRecord, StreamRecord, StreamViewType,
};
pub use aws_lambda_events::encodings::{Body, MillisecondTimestamp, SecondTimestamp};
pub use aws_lambda_events::eventbridge::EventBridgeEvent;
pub use aws_lambda_events::kafka::{KafkaEvent, KafkaRecord};
pub use aws_lambda_events::kinesis::{KinesisEvent, KinesisEventRecord, KinesisRecord};
pub use aws_lambda_events::s3::{
    S3Bucket, S3Entity, S3Event, S3EventRecord, S3Object, S3RequestParameters, S3UserIdentity,
};
pub use aws_lambda_events::sns::{SnsEvent, SnsMessage, SnsRecord};
pub use aws_lambda_events::sqs::{SqsEvent, SqsMessage};

/// The Runtime API's header names (Source: AWS Lambda, "Using the Lambda runtime API for
/// custom runtimes").
pub mod header {
    /// The invocation's request id.
    pub const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
    /// The deadline, in milliseconds since the Unix epoch.
    pub const DEADLINE_MS: &str = "lambda-runtime-deadline-ms";
    /// The ARN the function was invoked with.
    pub const INVOKED_FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";
    /// The X-Ray trace header.
    pub const TRACE_ID: &str = "lambda-runtime-trace-id";
    /// The tenant of a function with tenant isolation (the Invoke API's `X-Amz-Tenant-Id`).
    pub const TENANT_ID: &str = "lambda-runtime-aws-tenant-id";
    /// On a response: `streaming` for a streamed one.
    pub const RESPONSE_MODE: &str = "lambda-runtime-function-response-mode";
    /// On an error, or a streamed response's trailers: the error's type.
    pub const ERROR_TYPE: &str = "lambda-runtime-function-error-type";
    /// In a streamed response's trailers: the error, base64-encoded JSON.
    pub const ERROR_BODY: &str = "lambda-runtime-function-error-body";
}

/// An API Gateway REST API (v1) or ALB request: the two share their top-level fields, and
/// `requestContext.elb` tells them apart (not `requestContext.httpMethod`, which some REST
/// events lack). Every map may be null or absent, as a target group's settings and the
/// client's request decide.
///
/// Source: the `apigw-*` and `alb-*` samples in `aws_lambda_events`; AWS API Gateway,
/// "Input format of a Lambda function for proxy integration"; Elastic Load Balancing,
/// "Lambda functions as targets".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProxyRequest<'a> {
    /// The payload format, when the event names one: `1.0` for an HTTP API's v1 payloads. An
    /// event that says `2.0` is an HTTP API (v2) event whatever else it carries.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub version: Option<Cow<'a, str>>,
    /// REST: the resource, such as `/{proxy+}`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Cow<'a, str>>,
    /// The path, without a REST API's stage.
    #[serde(default)]
    pub path: Option<String>,
    /// The method; API Gateway's console test sends an empty one for GET.
    #[serde(deserialize_with = "method", serialize_with = "method_name")]
    pub http_method: Method,
    /// One value per name.
    #[serde(default, deserialize_with = "pairs", serialize_with = "pairs_or_null")]
    pub headers: Vec<(String, String)>,
    /// Every value of each name; when present, it has all of `headers` too.
    #[serde(
        default,
        deserialize_with = "pairs",
        serialize_with = "grouped_pairs_or_null"
    )]
    pub multi_value_headers: Vec<(String, String)>,
    /// One value per name: decoded on REST, as sent on ALB.
    #[serde(default, deserialize_with = "pairs", serialize_with = "pairs_or_null")]
    pub query_string_parameters: Vec<(String, String)>,
    /// Every value of each name.
    #[serde(
        default,
        deserialize_with = "pairs",
        serialize_with = "grouped_pairs_or_null"
    )]
    pub multi_value_query_string_parameters: Vec<(String, String)>,
    /// REST: what the resource's `{name}` parts matched.
    #[serde(default)]
    pub path_parameters: Option<BTreeMap<String, String>>,
    /// REST: the stage's variables (written, not read: fc does not carry them).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Who sent it and where: REST's context, or ALB's `elb`.
    pub request_context: ProxyContext<'a>,
    /// The body, base64 when `isBase64Encoded`.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64.
    #[serde(default)]
    pub is_base64_encoded: Option<bool>,
}

/// A REST API's request context, or an ALB's (`elb` alone).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProxyContext<'a> {
    /// The AWS account.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Cow<'a, str>>,
    /// The API's id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<Cow<'a, str>>,
    /// The host the client called.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<Cow<'a, str>>,
    /// The first label of `domainName`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub domain_prefix: Option<Cow<'a, str>>,
    /// API Gateway's own id of the request.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub extended_request_id: Option<Cow<'a, str>>,
    /// The method, again.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub http_method: Option<Cow<'a, str>>,
    /// The caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity<'a>>,
    /// The path with the stage: `/prod/items/1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `HTTP/1.1`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Cow<'a, str>>,
    /// The request id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Cow<'a, str>>,
    /// When the request arrived: `09/Apr/2015:12:34:56 +0000`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub request_time: Option<Cow<'a, str>>,
    /// When the request arrived, in milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_time_epoch: Option<i64>,
    /// The resource's id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<Cow<'a, str>>,
    /// The resource, as in `resource`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub resource_path: Option<Cow<'a, str>>,
    /// The stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Only in an ALB event: the target group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elb: Option<ElbContext<'a>>,
}

/// A REST API's caller.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Identity<'a> {
    /// The client's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The client's `User-Agent`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Cow<'a, str>>,
}

/// The target group an ALB request came through.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElbContext<'a> {
    /// Its ARN.
    #[serde(default, borrow)]
    pub target_group_arn: Option<Cow<'a, str>>,
}

/// An API Gateway HTTP API (payload format 2.0) or Function URL request.
///
/// Source: the `apigw-v2-*` and `lambda-function-url-*` samples in `aws_lambda_events`; AWS API
/// Gateway, "Working with AWS Lambda proxy integrations for HTTP APIs"; AWS Lambda, "Invoking
/// Lambda function URLs" (request payload).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpApiRequest<'a> {
    /// `2.0`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub version: Option<Cow<'a, str>>,
    /// The route that matched: `$default`, `GET /items/{id}`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub route_key: Option<Cow<'a, str>>,
    /// The path, with a named stage in front.
    #[serde(default, alias = "path")]
    pub raw_path: Option<String>,
    /// The query as the client sent it, still encoded.
    #[serde(default)]
    pub raw_query_string: Option<String>,
    /// The `Cookie` header, split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<Vec<String>>,
    /// Headers, repeated values comma-joined.
    #[serde(default, deserialize_with = "pairs", serialize_with = "pairs_or_null")]
    pub headers: Vec<(String, String)>,
    /// Decoded query parameters, repeated values comma-joined. Written, not read: fc reads
    /// `rawQueryString`, which keeps the order and the repeats.
    #[serde(
        skip_deserializing,
        serialize_with = "pairs_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub query_string_parameters: Vec<(String, String)>,
    /// What the route's `{name}` parts matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_parameters: Option<BTreeMap<String, String>>,
    /// The stage's variables (written, not read: fc does not carry them).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Who sent it and where.
    pub request_context: HttpApiContext<'a>,
    /// The body, base64 when `isBase64Encoded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether `body` is base64.
    #[serde(default)]
    pub is_base64_encoded: Option<bool>,
}

/// An HTTP API's or Function URL's request context.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpApiContext<'a> {
    /// The AWS account.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Cow<'a, str>>,
    /// The API's id (a Function URL's: its URL id).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<Cow<'a, str>>,
    /// The host the client called; a Function URL's has `.lambda-url.` in it.
    #[serde(default)]
    pub domain_name: Option<String>,
    /// The first label of `domainName`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub domain_prefix: Option<Cow<'a, str>>,
    /// The method, path and client.
    pub http: HttpDescription<'a>,
    /// The request id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Cow<'a, str>>,
    /// The route that matched.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub route_key: Option<Cow<'a, str>>,
    /// The stage; `$default` when it has no name.
    #[serde(default)]
    pub stage: Option<String>,
    /// When the request arrived: `12/Mar/2020:19:03:58 +0000`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub time: Option<Cow<'a, str>>,
    /// When the request arrived, in milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_epoch: Option<i64>,
}
