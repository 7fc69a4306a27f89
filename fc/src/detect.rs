//! Which platform started the process (DESIGN: Detection).

use fc_core::Platform;

/// Variables only Function Compute sets for a custom runtime.
const FC_VARIABLES: [&str; 4] = [
    "FC_CUSTOM_LISTEN_PORT",
    "FC_SERVER_PORT",
    "FC_FUNC_CODE_PATH",
    "FC_FUNCTION_NAME",
];

/// Variables SCF sets: the Custom Runtime API's address for an event function, and the run
/// environment and function name in every function, web functions included.
const SCF_VARIABLES: [&str; 3] = ["SCF_RUNTIME_API", "TENCENTCLOUD_RUNENV", "SCF_FUNCTIONNAME"];

/// Variables the Azure Functions host sets for a custom handler (and the legacy HTTP worker).
const AZURE_VARIABLES: [&str; 2] = ["FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_HTTPWORKER_PORT"];

/// Variables Knative Serving (and Cloud Run, which implements its contract) sets.
const KNATIVE_VARIABLES: [&str; 3] = ["K_SERVICE", "K_CONFIGURATION", "K_REVISION"];

/// The platform and the reason it was chosen, from the environment.
pub(crate) fn detect(var: impl Fn(&str) -> Option<String>) -> Result<(Platform, String), String> {
    if let Some(forced) = var("FC_PLATFORM") {
        let Some(platform) = Platform::from_name(&forced.trim().to_ascii_lowercase()) else {
            return Err(format!(
                "FC_PLATFORM must be `aws`, `aliyun`, `knative`, `gcp`, `openwhisk`, `tencent`, `azure` or `local`, got `{forced}`"
            ));
        };
        return Ok((platform, format!("FC_PLATFORM is `{forced}`")));
    }
    if var("AWS_LAMBDA_RUNTIME_API").is_some() {
        return Ok((Platform::Aws, "AWS_LAMBDA_RUNTIME_API is set".into()));
    }
    if let Some(name) = FC_VARIABLES.into_iter().find(|name| var(name).is_some()) {
        return Ok((Platform::Aliyun, format!("{name} is set")));
    }
    if let Some(name) = AZURE_VARIABLES.into_iter().find(|name| var(name).is_some()) {
        return Ok((Platform::Azure, format!("{name} is set")));
    }
    if let Some(name) = SCF_VARIABLES.into_iter().find(|name| var(name).is_some()) {
        return Ok((Platform::Tencent, format!("{name} is set")));
    }
    // OpenWhisk sets its API host in every action container, and the activation's variables
    // for a native action's run.
    if let Some(name) = ["__OW_API_HOST", "__OW_ACTIVATION_ID"]
        .into_iter()
        .find(|name| var(name).is_some())
    {
        return Ok((Platform::OpenWhisk, format!("{name} is set")));
    }
    // A Cloud Run function runs on Knative's contract and adds its own target.
    if var("FUNCTION_TARGET").is_some() {
        return Ok((Platform::Gcp, "FUNCTION_TARGET is set".into()));
    }
    if let Some(name) = KNATIVE_VARIABLES
        .into_iter()
        .find(|name| var(name).is_some())
    {
        return Ok((Platform::Knative, format!("{name} is set")));
    }
    Ok((Platform::Local, "no cloud platform was detected".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::testing::env;

    #[test]
    fn detection_order() {
        let cases: [(&'static [(&str, &str)], Platform); 13] = [
            (&[], Platform::Local),
            (
                &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")],
                Platform::Aws,
            ),
            (&[("FC_SERVER_PORT", "9000")], Platform::Aliyun),
            (&[("FC_FUNC_CODE_PATH", "/code")], Platform::Aliyun),
            (
                &[("FC_PLATFORM", "local"), ("AWS_LAMBDA_RUNTIME_API", "x")],
                Platform::Local,
            ),
            (
                &[("AWS_LAMBDA_RUNTIME_API", "x"), ("FC_FUNCTION_NAME", "f")],
                Platform::Aws,
            ),
            (&[("K_SERVICE", "survey")], Platform::Knative),
            (
                &[("K_SERVICE", "survey"), ("FUNCTION_TARGET", "survey")],
                Platform::Gcp,
            ),
            (&[("FC_PLATFORM", "gcp")], Platform::Gcp),
            (&[("__OW_API_HOST", "https://ow")], Platform::OpenWhisk),
            (&[("SCF_RUNTIME_API", "9.0.0.1")], Platform::Tencent),
            (&[("TENCENTCLOUD_RUNENV", "SCF")], Platform::Tencent),
            (&[("FUNCTIONS_CUSTOMHANDLER_PORT", "3000")], Platform::Azure),
        ];
        for (vars, expected) in cases {
            assert_eq!(detect(env(vars)).map(|(p, _)| p), Ok(expected), "{vars:?}");
        }
        let (_, why) = detect(env(&[("FC_CUSTOM_LISTEN_PORT", "9000")])).unwrap();
        assert_eq!(why, "FC_CUSTOM_LISTEN_PORT is set");
    }

    #[test]
    fn unknown_forced_platform_is_an_error() {
        let err = detect(env(&[("FC_PLATFORM", "gcf")])).unwrap_err();
        assert_eq!(
            err,
            "FC_PLATFORM must be `aws`, `aliyun`, `knative`, `gcp`, `openwhisk`, `tencent`, `azure` or `local`, got `gcf`"
        );
    }
}
