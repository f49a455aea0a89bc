//! The instance's own settings and keys.

use trellis_core::settings::RegistrationMode;
use trellis_store::{KeyPair, SettingsChange, Store};
use trellis_test_macros::on_every_backend;

use crate::support::keys;

#[on_every_backend]
async fn settings_change_only_what_is_given(store: Store) {
    let initial = store.settings().await.unwrap();
    assert_eq!(initial.registration_mode, RegistrationMode::Open);
    assert_eq!(initial.organization_name, "Trellis");
    let changed = store
        .change_settings(&SettingsChange {
            registration_mode: Some(RegistrationMode::InviteOnly),
            ..SettingsChange::default()
        })
        .await
        .unwrap();
    assert_eq!(changed.registration_mode, RegistrationMode::InviteOnly);
    assert_eq!(changed.organization_name, "Trellis");
    let renamed = store
        .change_settings(&SettingsChange {
            organization_name: Some("Sysadmins of the North".into()),
            organization_description: Some("A society.".into()),
            ..SettingsChange::default()
        })
        .await
        .unwrap();
    assert_eq!(renamed.registration_mode, RegistrationMode::InviteOnly);
    assert_eq!(store.settings().await.unwrap(), renamed);
}

#[on_every_backend]
async fn instance_keys_are_made_once(store: Store) {
    assert_eq!(store.instance_keys().await.unwrap(), None);
    let first = store.init_instance_keys(&keys()).await.unwrap();
    let other = KeyPair {
        public_key_pem: "other".into(),
        private_key_pem: "other".into(),
    };
    assert_eq!(
        store.init_instance_keys(&other).await.unwrap(),
        first,
        "the first pair stays"
    );
    assert_eq!(store.instance_keys().await.unwrap(), Some(keys()));
}
