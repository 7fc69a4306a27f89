//! Lambda response streaming: an HTTP response sent as a metadata prelude and then its body,
//! chunk by chunk, as Function URLs with `InvokeMode: RESPONSE_STREAM` and API Gateway REST
//! APIs with `responseTransferMode: STREAM` read it.

use fc_core::http::{DataStream, Response, header};
use lambda_runtime::{FunctionResponse, MetadataPrelude, StreamResponse};
use serde_json::value::RawValue;

/// What an invocation answers: a JSON document, or a stream.
pub(crate) type Answer = FunctionResponse<Box<RawValue>, DataStream>;

/// The response as a stream: status, headers and cookies in the prelude, the body after it.
pub(crate) fn streamed(response: Response) -> Answer {
    let (mut parts, body) = response.into_parts();
    let cookies = parts
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    parts.headers.remove(header::SET_COOKIE);
    let prelude = MetadataPrelude {
        status_code: parts.status,
        headers: parts.headers,
        cookies,
    };
    FunctionResponse::StreamingResponse(StreamResponse {
        metadata_prelude: prelude,
        stream: body.into_data_stream(),
    })
}
